// The backbone registry as the run launcher and head editor see it. Read from the
// registry's data alone: nothing is loaded, so listing is instant in the main process.
import { describePreprocessing } from '../../../src-shared/engine-export';
import type { BackboneInfo } from '../../../src-shared/runs';
import { builtinBackbones } from '../../engine/backbones/registry';
import type { BackboneEntry } from '../../engine/backbones/registry';

export function backboneInfo(e: BackboneEntry): BackboneInfo {
  const sizes = e.allowedInputSizes ?? [e.inputSize];
  const shapes = e.featureShapes ?? {};
  return {
    id: e.id,
    name: e.label,
    inputSize: e.inputSize,
    allowedInputSizes: sizes,
    featureShape: shapes[e.inputSize] ?? null,
    featureShapes: sizes.flatMap((s) => (shapes[s] ? [{ inputSize: s, shape: shapes[s] }] : [])),
    blocks: e.blocks.map((b) => b.name),
    preprocessing: e.preprocessing,
    preprocessingText: describePreprocessing(e.preprocessing),
  };
}

export function listBackbones(): BackboneInfo[] {
  return builtinBackbones.map(backboneInfo);
}
