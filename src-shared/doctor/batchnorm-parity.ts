// BatchNorm parity: training reports accuracy in training mode (batch statistics,
// dropout on); the weights are used in inference mode. Evaluating the training split in
// inference mode at the end of a phase and finding it far from what training reported
// points to BatchNorm statistics (seed 000's second answer).
import { pct, points } from './finding';
import type { DoctorInput, Finding } from './finding';

/** A difference above this many points, and above sampling noise, is a finding. */
export const PARITY_GAP = 0.05;

export function batchnormParity(input: DoctorInput): Finding[] {
  const n = input.splitSizes?.train ?? 0;
  return (input.parity ?? []).flatMap((p) => {
    const diff = p.reported - p.inference;
    const noise = n > 0 ? 2 * Math.sqrt((2 * p.reported * (1 - p.reported)) / n) : 0;
    if (Math.abs(diff) <= Math.max(PARITY_GAP, noise)) return [];
    const p2 = p.phase === 2 ? input.config.phase2 : null;
    const cause = p2?.batchNorm === 'train'
      ? `phase 2 trains its BatchNorm layers ('train' policy) on batches of ${p2.batchSize}`
      : 'BatchNorm or dropout layers behave differently in inference mode';
    return [{
      id: `batchnorm-parity/p${p.phase}`,
      severity: Math.abs(diff) > 2 * PARITY_GAP ? 'problem' : 'warning',
      title: `Phase ${p.phase}: training accuracy in inference mode differs from what training reported by ${points(Math.abs(diff))}`,
      evidence: {
        text: `At the end of phase ${p.phase} training reported ${pct(p.reported)}; the same training images in inference mode give ${pct(p.inference)}. Likely cause: ${cause}.`,
        epochs: [],
        figures: { reported: p.reported, inference: p.inference, difference: diff },
      },
      action: p2?.batchNorm === 'train'
        ? "Set phase 2's BatchNorm policy to 'frozen', or 'reestimate' to fit the statistics to these images once."
        : 'Remove BatchNorm from the head or use larger batches; read the inference-mode figure as the real one.',
    }];
  });
}
