// Leakage at run time (seed 001: validation 98 % but the test set worse): near-duplicate
// clusters whose copies sit in more than one of this run's splits, so the model is
// partly tested on images it trained on.
import type { DoctorInput, Finding } from './finding';

export function leakage(input: DoctorInput): Finding[] {
  const l = input.leakage;
  if (!l || l.clusters === 0) return [];
  return [
    {
      id: 'leakage',
      severity: 'problem',
      title: `${l.clusters} near-duplicate cluster${l.clusters > 1 ? 's straddle' : ' straddles'} this run's splits`,
      evidence: {
        text: `${l.images} images in ${l.clusters} near-duplicate cluster${l.clusters > 1 ? 's' : ''} fall into more than one of training, validation and test: validation and test accuracy read high.`,
        epochs: [],
        figures: { clusters: l.clusters, images: l.images },
      },
      action: 'Open the Health page and keep each cluster in one split (group-aware splits), then train again.',
      link: 'health',
    },
  ];
}
