// Unstable validation (seed 002: 70 % -> 30 % with nothing to explain it): a fall in
// validation accuracy from one epoch to the next larger than the validation set's own
// sampling noise allows, with the likely cause named from what the run shows.
import { formatPercent } from '../format';
import { epochName, points, refOf } from './finding';
import type { DoctorInput, Finding } from './finding';
import type { EpochMetrics } from '../engine-metrics';

/** Below this many validation images, accuracy itself moves in large steps. */
export const SMALL_VAL = 100;
/** Adam above this (SGD above 10x this) is high for pretrained convolution blocks. */
const HIGH_FINE_TUNE_LR = 1e-3;

/**
 * Two standard errors of the difference of two accuracies measured on the same n images:
 * 2 * sqrt(2 p (1 - p) / n). Falls wider than this are not sampling noise.
 */
export function swingThreshold(p: number, n: number): number {
  const q = Math.min(Math.max(p, 1 / n), 1 - 1 / n);
  return 2 * Math.sqrt((2 * q * (1 - q)) / n);
}

interface Swing {
  from: EpochMetrics;
  to: EpochMetrics;
  drop: number;
  threshold: number;
}

function swingsOf(epochs: EpochMetrics[], n: number): Swing[] {
  const out: Swing[] = [];
  for (let i = 1; i < epochs.length; i++) {
    const from = epochs[i - 1]!;
    const to = epochs[i]!;
    // A new phase starts from other weights; and a rise is learning, not instability.
    if (from.phase !== to.phase || from.valAcc === null || to.valAcc === null) continue;
    const threshold = swingThreshold((from.valAcc + to.valAcc) / 2, n);
    const drop = from.valAcc - to.valAcc;
    if (drop > threshold) out.push({ from, to, drop, threshold });
  }
  return out;
}

function causesOf(input: DoctorInput, swings: Swing[], n: number): string[] {
  const p2 = input.config.phase2;
  const inPhase2 = swings.some((s) => s.to.phase === 2);
  const causes: string[] = [];
  if (inPhase2 && p2) {
    const limit = p2.optimizer.kind === 'sgd' ? 10 * HIGH_FINE_TUNE_LR : HIGH_FINE_TUNE_LR;
    if (p2.optimizer.lr > limit)
      causes.push(
        `the learning rate ${p2.optimizer.lr} is too high for ${p2.unfreezeBlocks} unfrozen pretrained block${p2.unfreezeBlocks > 1 ? 's' : ''} (1e-5 to 1e-4 is usual)`,
      );
    if (p2.batchNorm === 'train')
      causes.push(
        `BatchNorm statistics: the unfrozen blocks train their BatchNorm on batches of ${p2.batchSize}, so inference sees moving statistics that lag`,
      );
  }
  if (n < SMALL_VAL) causes.push(`a validation set of ${n} images is small: one image is ${points(1 / n)}`);
  const p1 = input.config.phase1;
  if (swings.some((s) => s.to.phase === 1) && p1.optimizer.lr >= 1e-2)
    causes.push(`the head's learning rate ${p1.optimizer.lr} is high`);
  return causes;
}

function actionOf(causes: string[], input: DoctorInput): string {
  if (causes.length === 0)
    return 'Lower the learning rate, or add a schedule that decays it; if validation is small, move images into it.';
  const first = causes[0]!;
  if (first.startsWith('the learning rate'))
    return `Lower phase 2's learning rate to 1e-5 (about ${Math.round(input.config.phase2!.optimizer.lr / 1e-5)} times lower).`;
  if (first.startsWith('BatchNorm')) return "Set phase 2's BatchNorm policy to 'frozen' (or 'reestimate').";
  if (first.startsWith('a validation set'))
    return 'Move more images into validation (at least 100), or judge the run with k-fold cross-validation.';
  return 'Lower the learning rate of phase 1.';
}

/**
 * No fall measured yet, but phase 2 runs at a learning rate that swings validation on
 * pretrained blocks: on a small validation set a swing may hide in the noise, so say so.
 */
function risk(input: DoctorInput, n: number): Finding[] {
  const p2 = input.config.phase2;
  const ran = input.epochs.filter((m) => m.phase === 2);
  if (!p2 || ran.length === 0) return [];
  const limit = p2.optimizer.kind === 'sgd' ? 10 * HIGH_FINE_TUNE_LR : HIGH_FINE_TUNE_LR;
  if (p2.optimizer.lr <= limit) return [];
  return [
    {
      id: 'unstable-validation/risk',
      severity: 'warning',
      title: `Phase 2's learning rate ${p2.optimizer.lr} is high for unfrozen pretrained blocks`,
      evidence: {
        text:
          `Phase 2 ran ${ran.length} epoch${ran.length > 1 ? 's' : ''} with ${p2.unfreezeBlocks} unfrozen block${p2.unfreezeBlocks > 1 ? 's' : ''} at ${p2.optimizer.kind} ${p2.optimizer.lr}; ` +
          `no fall beyond sampling noise was measured${n < SMALL_VAL ? `, but ${n} validation images hide falls under ${points(swingThreshold(0.5, n))}` : ''}.`,
        epochs: ran.map(refOf),
        figures: { lr: p2.optimizer.lr, limit, valImages: n },
      },
      action: `Lower phase 2's learning rate to 1e-5 (about ${Math.round(p2.optimizer.lr / 1e-5)} times lower).`,
    },
  ];
}

export function unstableValidation(input: DoctorInput): Finding[] {
  const n = input.splitSizes?.val ?? 0;
  if (n <= 0) return [];
  const swings = swingsOf(input.epochs, n);
  if (swings.length === 0) return risk(input, n);
  const worst = swings.reduce((a, b) => (b.drop > a.drop ? b : a));
  const causes = causesOf(input, swings, n);
  return [
    {
      id: 'unstable-validation',
      severity: swings.length > 1 || worst.drop > 2 * worst.threshold ? 'problem' : 'warning',
      title: `Unstable validation: ${swings.length} fall${swings.length > 1 ? 's' : ''} larger than sampling noise`,
      evidence: {
        text:
          `Validation accuracy fell from ${formatPercent(worst.from.valAcc!)} at ${epochName(worst.from)} to ${formatPercent(worst.to.valAcc!)} at ${epochName(worst.to)}; ` +
          `on ${n} validation images, sampling noise explains falls up to ${points(worst.threshold)}. ` +
          (causes.length
            ? `Likely cause${causes.length > 1 ? 's' : ''}: ${causes.join('; ')}.`
            : 'No cause stands out in the config.'),
        epochs: swings.flatMap((s) => [refOf(s.from), refOf(s.to)]),
        figures: { swings: swings.length, worstDrop: worst.drop, threshold: worst.threshold, valImages: n },
      },
      action: actionOf(causes, input),
    },
  ];
}
