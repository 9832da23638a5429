// Head bloat (seed 000: Flatten + Dense 1024/512/256, a 2.7 GB weight file): the head
// editor warns as it is designed; the run says it again when the warning was ignored.
import { formatBytes } from '../format';
import { headSize } from '../head-spec';
import type { DoctorInput, Finding } from './finding';
import { denseNames, headFacts } from './run-facts';

export function headBloat(input: DoctorInput): Finding[] {
  if (!input.featureShape || input.classes.length === 0) return [];
  const size = headSize(input.config.head, input.featureShape, input.classes.length);
  if (size.warnings.length === 0) return [];
  const [h, w, c] = input.featureShape;
  return [
    {
      id: 'head-bloat',
      severity: 'warning',
      title: `The head has ${size.params.toLocaleString('en')} parameters (${formatBytes(size.weightBytes)})`,
      evidence: {
        text: `On a ${h}x${w}x${c} feature map: ${size.warnings.join('; ')}.`,
        epochs: [],
        figures: { params: size.params, weightBytes: size.weightBytes },
      },
      action: actionOf(input),
    },
  ];
}

/** Only what this head has: a Flatten to replace, dense layers to shrink. */
function actionOf(input: DoctorInput): string {
  const dense = headFacts(input.config.head).dense;
  const steps = [
    input.config.head.pooling === 'flatten' ? 'switch the pooling from Flatten to global average' : null,
    dense.length > 1 ? `keep at most one small dense layer of ${denseNames(dense)}` : null,
    dense.length === 1 && dense[0]! > 256 ? `shrink Dense ${dense[0]} to 256 units or fewer` : null,
  ].filter((s): s is string => s !== null);
  const text = steps.length > 0 ? steps.join(', and ') : 'use fewer units in the head';
  return `In the head editor, ${text}.`;
}
