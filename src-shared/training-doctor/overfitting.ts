// Overfitting onset: the epoch after which validation loss turns up while training loss
// keeps falling (seed 000 trained 100 epochs past it), and the train-val gap at the best epoch.
import { formatPercent } from '../format';
import { bestEpoch, epochName, epochNumber, points, refOf } from './finding';
import type { DoctorInput, Finding } from './finding';
import type { RunConfig } from '../engine-config';
import type { EpochMetrics } from '../engine-metrics';
import { denseNames, fitOf, headFacts } from './run-facts';

/** Validation loss must sit this much (relative) above its minimum to count as turned up. */
const RISE = 0.05;
/** ...for at least this many epochs after the minimum. */
const PATIENCE = 2;
/** A train-val accuracy gap at the best epoch above this is overfit weights, even restored. */
const KEPT_GAP = 0.15;
/** Dropout below this rate can still be raised. */
const HIGH_DROPOUT = 0.5;

export interface Onset {
  at: EpochMetrics;
  last: EpochMetrics;
  rise: number;
}

/** Within one phase: phase 2 starts a new optimiser and a new curve. */
export function onsetOf(phase: EpochMetrics[]): Onset | null {
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

/** Remedies this run has not used yet, most effective first. */
function remedies(config: RunConfig, phase: 1 | 2): string[] {
  const head = headFacts(config.head);
  const maxDropout = Math.max(0, ...head.dropout);
  const out: string[] = [];
  if (config.augment === null) out.push('turn on augmentation');
  if (head.dense.length > 0) out.push(`make the head smaller (it has ${denseNames(head.dense)})`);
  if (head.dropout.length === 0) out.push('add a dropout layer to the head');
  else if (maxDropout < HIGH_DROPOUT) out.push(`raise the head's dropout from ${maxDropout} to ${HIGH_DROPOUT}`);
  if (phase === 2 && config.phase2 && config.phase2.unfreezeBlocks > 1)
    out.push(`unfreeze fewer blocks than ${config.phase2.unfreezeBlocks}`);
  out.push('add training images');
  return out;
}

export function overfitting(input: DoctorInput): Finding[] {
  const phases = [1, 2].map((p) => input.epochs.filter((m) => m.phase === p));
  const found = phases.map(onsetOf).find((o): o is Onset => o !== null);
  if (!found) return [];
  const { at, last, rise } = found;
  const best = bestEpoch(input.epochs) ?? at;
  const gap = best.trainAcc - (best.valAcc ?? best.trainAcc);
  const es = fitOf(input.config, at.phase).earlyStopping;
  const stop =
    es?.restoreBest === true
      ? `Early stopping is on (monitor ${es.monitor}, patience ${es.patience}) and restores its best epoch, so the saved weights are from before the turn.`
      : `Turn on early stopping on validation loss with "restore best weights", so the run keeps ${epochName(at)}.`;
  const more = remedies(input.config, at.phase);
  // Restored best weights come from before the turn: the run's result is not overfit unless its best epoch already is.
  const kept = es?.restoreBest === true && gap < KEPT_GAP;
  return [
    {
      id: 'overfitting',
      severity: kept ? 'info' : rise > 0.5 ? 'problem' : 'warning',
      title: `Overfitting from phase ${at.phase}, epoch ${epochNumber(at)}: validation loss turned up while training loss kept falling`,
      evidence: {
        text:
          `Validation loss was lowest at ${epochName(at)} (${at.valLoss!.toFixed(3)}) and rose ${formatPercent(rise)} by ${epochName(last)} (${last.valLoss!.toFixed(3)}), ` +
          `while training loss fell from ${at.trainLoss.toFixed(3)} to ${last.trainLoss.toFixed(3)}. At the best epoch (${epochName(best)}) ${gap >= 0 ? `training accuracy exceeds validation by ${points(gap)}` : `validation accuracy exceeds training by ${points(-gap)}`}.`,
        epochs: [refOf(at), refOf(last), refOf(best)],
        figures: {
          onsetEpoch: epochNumber(at),
          onsetPhase: at.phase,
          valLossAtOnset: at.valLoss!,
          valLossLast: last.valLoss!,
          valLossRise: rise,
          gapAtBest: gap,
        },
      },
      action: `${stop} Then ${more.join(', or ')}.`,
    },
  ];
}
