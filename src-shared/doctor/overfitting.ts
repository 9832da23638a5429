// Overfitting onset: the epoch after which validation loss turns up while training loss
// keeps falling (seed 000 trained 100 epochs past it), and the train-val gap at the best epoch.
import { bestEpoch, epochLabel, pct, points, refOf } from './finding';
import type { DoctorInput, Finding } from './finding';
import type { EpochMetrics } from '../engine-metrics';

/** Validation loss must sit this much (relative) above its minimum to count as turned up. */
const RISE = 0.05;
/** ...for at least this many epochs after the minimum. */
const PATIENCE = 2;

interface Onset {
  at: EpochMetrics;
  last: EpochMetrics;
  rise: number;
}

/** Within the phase that ran last: phase 2 starts a new optimiser and a new curve. */
function onsetOf(phase: EpochMetrics[]): Onset | null {
  const withVal = phase.filter((m) => m.valLoss !== null);
  if (withVal.length < PATIENCE + 2) return null;
  let at = withVal[0]!;
  for (const m of withVal) if (m.valLoss! < at.valLoss!) at = m;
  const after = withVal.filter((m) => m.phase === at.phase && m.epoch > at.epoch);
  const last = withVal.at(-1)!;
  if (after.length < PATIENCE || last.trainLoss >= at.trainLoss) return null;
  const rise = (last.valLoss! - at.valLoss!) / at.valLoss!;
  return rise > RISE ? { at, last, rise } : null;
}

export function overfitting(input: DoctorInput): Finding[] {
  const phases = [1, 2].map((p) => input.epochs.filter((m) => m.phase === p));
  const found = phases.map(onsetOf).find((o): o is Onset => o !== null);
  if (!found) return [];
  const { at, last, rise } = found;
  const best = bestEpoch(input.epochs) ?? at;
  const gap = best.trainAcc - (best.valAcc ?? best.trainAcc);
  const fit = at.phase === 2 && input.config.phase2 ? input.config.phase2 : input.config.phase1;
  const es = fit.earlyStopping;
  const restored = es?.restoreBest === true;
  const stop = restored
    ? `Early stopping is on (monitor ${es.monitor}, patience ${es.patience}) and restores its best epoch, so the saved weights are from before the turn.`
    : `Turn on early stopping on validation loss with "restore best weights", so the run keeps ${epochLabel(at)}.`;
  return [{
    id: 'overfitting',
    severity: rise > 0.5 ? 'problem' : 'warning',
    title: `Overfitting from ${epochLabel(at)}: validation loss turned up while training loss kept falling`,
    evidence: {
      text: `Validation loss was lowest at ${epochLabel(at)} (${at.valLoss!.toFixed(3)}) and rose ${pct(rise)} by ${epochLabel(last)} (${last.valLoss!.toFixed(3)}), `
        + `while training loss fell from ${at.trainLoss.toFixed(3)} to ${last.trainLoss.toFixed(3)}. At the best epoch (${epochLabel(best)}) training accuracy exceeds validation by ${points(gap)}.`,
      epochs: [refOf(at), refOf(last), refOf(best)],
      figures: { onsetEpoch: at.epoch, onsetPhase: at.phase, valLossAtOnset: at.valLoss!, valLossLast: last.valLoss!, valLossRise: rise, gapAtBest: gap },
    },
    action: `${stop} Then add augmentation or dropout in the head${at.phase === 2 ? ', or unfreeze fewer blocks' : ''}.`,
  }];
}
