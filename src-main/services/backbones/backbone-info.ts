// The registry as the launcher, head editor and `studio backbones` see it: read from the
// registry's data and the model cache's sidecars, so listing builds no network.
import { describePreprocessing } from '../../../src-shared/engine-export';
import type { BackboneInfo, BackboneWeights } from '../../../src-shared/backbones';
import { builtinBackbones } from '../../../src-node-shared/backbones/registry';
import type { BackboneEntry } from '../../../src-node-shared/backbones/registry';
import { kerasSourceOf, presentWeights, weightFilesFor } from '../../../src-node-shared/backbones/keras-weights';
import type { CachedWeights } from '../../../src-node-shared/backbones/model-cache';

/** The weights an entry uses at its default size, and whether the cache holds them. */
export function weightsOf(e: BackboneEntry, cached: readonly CachedWeights[], cacheDir: string): BackboneWeights {
  const src = kerasSourceOf(e);
  if (!src) {
    const bundled = e.source.kind === 'nsfwjs';
    return {
      present: bundled,
      source: bundled ? 'bundled' : null,
      file: null,
      url: null,
      bytes: null,
      sha256: null,
      path: null,
    };
  }
  const wanted = weightFilesFor(src, e.inputSize)[0]!;
  const found = presentWeights(e, e.inputSize, cached, cacheDir);
  if (!found)
    return { present: false, source: null, file: wanted.file, url: wanted.url, bytes: null, sha256: null, path: null };
  const c = found.cached;
  return {
    present: true,
    source: c.source,
    file: c.file,
    url: found.weights.url,
    bytes: c.bytes,
    sha256: c.sha256,
    path: found.path,
  };
}

export function backboneInfo(e: BackboneEntry, weights: BackboneWeights, recommended: boolean): BackboneInfo {
  const sizes = e.allowedInputSizes ?? [e.inputSize];
  const shapes = e.featureShapes ?? {};
  return {
    id: e.id,
    name: e.label,
    arch: e.source.kind === 'keras' ? e.source.arch : e.source.kind === 'nsfwjs' ? e.source.model : null,
    tuning: e.tuning,
    params: e.params ?? null,
    inputSize: e.inputSize,
    allowedInputSizes: sizes,
    minInputSize: e.minInputSize ?? null,
    featureShape: shapes[e.inputSize] ?? null,
    featureShapes: sizes.flatMap((s) => (shapes[s] ? [{ inputSize: s, shape: shapes[s] }] : [])),
    blocks: e.blocks.map((b) => b.name),
    preprocessing: e.preprocessing,
    preprocessingText: describePreprocessing(e.preprocessing),
    weights,
    recommended,
  };
}

/**
 * The default backbone: of those whose ImageNet weights are present, the one with the best
 * ImageNet accuracy; the bundled NSFW-tuned MobileNetV2 only when none is.
 */
export function recommendedId(entries: readonly BackboneEntry[], present: (e: BackboneEntry) => boolean): string {
  const imagenet = entries.filter((e) => e.tuning === 'imagenet' && present(e));
  imagenet.sort((a, b) => (b.imagenetTop1 ?? 0) - (a.imagenetTop1 ?? 0));
  return imagenet[0]?.id ?? 'nsfwjs_mobilenet_v2';
}

export function listBackbones(cached: readonly CachedWeights[], cacheDir: string): BackboneInfo[] {
  const weights = new Map(builtinBackbones.map((e) => [e.id, weightsOf(e, cached, cacheDir)]));
  const best = recommendedId(builtinBackbones, (e) => weights.get(e.id)!.present);
  return builtinBackbones.map((e) => backboneInfo(e, weights.get(e.id)!, e.id === best));
}
