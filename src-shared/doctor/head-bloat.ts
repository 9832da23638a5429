// Head bloat (seed 000: Flatten + Dense 1024/512/256, a 2.7 GB weight file): the head
// editor warns as it is designed; the run says it again when the warning was ignored.
import { formatBytes } from '../format';
import { headSize } from '../head-spec';
import type { DoctorInput, Finding } from './finding';

export function headBloat(input: DoctorInput): Finding[] {
  if (!input.featureShape || input.classes.length === 0) return [];
  const size = headSize(input.config.head, input.featureShape, input.classes.length);
  if (size.warnings.length === 0) return [];
  const [h, w, c] = input.featureShape;
  return [{
    id: 'head-bloat',
    severity: 'warning',
    title: `The head has ${size.params.toLocaleString('en')} parameters (${formatBytes(size.weightBytes)})`,
    evidence: {
      text: `On a ${h}x${w}x${c} feature map: ${size.warnings.join('; ')}.`,
      epochs: [],
      figures: { params: size.params, weightBytes: size.weightBytes },
    },
    action: 'Use global average pooling and at most one small dense layer in the head editor.',
  }];
}
