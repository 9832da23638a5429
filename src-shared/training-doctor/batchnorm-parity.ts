// BatchNorm parity: training reports accuracy in training mode (batch statistics, dropout
// on, weights moving during the epoch); the weights are used in inference mode. The
// training split in inference mode far from what training reported points to BatchNorm
// statistics (seed 000's second answer), but only where some BatchNorm layer trained on
// batch statistics in that phase. Without one, dropout and the moving weights explain
// the gap, and it is a note, not a problem.
import { formatPercent } from '../format';
import { points } from './finding';
import type { DoctorInput, Finding } from './finding';
import { batchNormInTraining, fitOf, headFacts } from './run-facts';

/** A difference above this many points is a finding. */
export const PARITY_GAP = 0.05;
/** Batches below this leave BatchNorm's batch statistics far from the moving ones. */
export const SMALL_BATCH = 32;

type Parity = NonNullable<DoctorInput['parity']>[number];

function heading(p: Parity, diff: number): string {
  const way = diff > 0 ? 'below' : 'above';
  return `Phase ${p.phase}: training accuracy in inference mode is ${points(Math.abs(diff))} ${way} what training reported`;
}

function measured(p: Parity): string {
  return `At the end of phase ${p.phase} training reported ${formatPercent(p.reported)}; the same training images in inference mode give ${formatPercent(p.inference)}.`;
}

function batchNormFinding(input: DoctorInput, p: Parity, diff: number): Finding {
  const bn = batchNormInTraining(input.config, p.phase);
  const batch = fitOf(input.config, p.phase).batchSize;
  const causes = [
    bn.backbone ? `phase 2 trains the unfrozen blocks' BatchNorm ('train' policy) on batches of ${batch}` : null,
    bn.head ? `the head's BatchNorm layer normalises batches of ${batch} while training` : null,
  ].filter((c): c is string => c !== null);
  const actions = [
    bn.backbone
      ? "Set phase 2's BatchNorm policy to 'frozen', or 'reestimate' to fit the statistics to these images once."
      : null,
    bn.head
      ? `Remove the BatchNorm layer from the head${batch < SMALL_BATCH ? ` or raise phase ${p.phase}'s batch size from ${batch} to ${SMALL_BATCH} or more` : ''}.`
      : null,
  ].filter((a): a is string => a !== null);
  return {
    id: `batchnorm-parity/p${p.phase}`,
    severity: Math.abs(diff) > 2 * PARITY_GAP ? 'problem' : 'warning',
    title: heading(p, diff),
    evidence: {
      text: `${measured(p)} Likely cause: ${causes.join('; ')}.`,
      epochs: [],
      figures: { reported: p.reported, inference: p.inference, difference: diff, batchSize: batch },
    },
    action: `${actions.join(' ')} Read the inference-mode figure as the real one.`,
  };
}

function dropoutNote(input: DoctorInput, p: Parity, diff: number): Finding {
  const rates = headFacts(input.config.head).dropout;
  const dropout =
    rates.length > 0 ? `dropout (rate ${rates.join(', ')}) is on while training accuracy is measured, and ` : '';
  return {
    id: `batchnorm-parity/p${p.phase}`,
    severity: 'info',
    title: heading(p, diff),
    evidence: {
      text:
        `${measured(p)} No BatchNorm layer trains on batch statistics in phase ${p.phase} (the frozen backbone's run in inference mode), so this is not BatchNorm: ` +
        `${dropout}training accuracy is averaged over an epoch while the weights change.`,
      epochs: [],
      figures: { reported: p.reported, inference: p.inference, difference: diff },
    },
    action: 'Nothing to change: read the inference-mode figure as the real training accuracy.',
  };
}

/**
 * Both figures count the same training images, so the gap is no sampling draw: the
 * two-sample noise bound used before hid a 10.4-point gap of phase 2's 'train' policy on
 * 48 images (bench/doctor, bn-train-small).
 */
export function batchnormParity(input: DoctorInput): Finding[] {
  return (input.parity ?? []).flatMap((p) => {
    const diff = p.reported - p.inference;
    if (Math.abs(diff) <= PARITY_GAP) return [];
    const bn = batchNormInTraining(input.config, p.phase);
    return [bn.head || bn.backbone ? batchNormFinding(input, p, diff) : dropoutNote(input, p, diff)];
  });
}
