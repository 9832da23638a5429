// The person's target ("validation above 85 % while training stays below 92 %"): the first
// epoch meeting it, marked on the curves, and a finding saying whether and when it was met.
import { formatPercent } from '../format';
import type { RunTarget } from '../engine-config';
import type { EpochMetrics } from '../engine-metrics';
import { epochName, epochNumber, refOf } from './finding';
import type { DoctorInput, Finding } from './finding';

export function meetsTarget(m: EpochMetrics, t: RunTarget): boolean {
  const val = t.valAbove === undefined || (m.valAcc !== null && m.valAcc > t.valAbove);
  const train = t.trainBelow === undefined || m.trainAcc < t.trainBelow;
  return val && train;
}

export function hasTarget(t: RunTarget | undefined): t is RunTarget {
  return t !== undefined && (t.valAbove !== undefined || t.trainBelow !== undefined);
}

/** The first epoch (both phases in order) meeting the target, or null. */
export function firstMeeting(epochs: EpochMetrics[], t: RunTarget | undefined): EpochMetrics | null {
  if (!hasTarget(t)) return null;
  return epochs.find((m) => meetsTarget(m, t)) ?? null;
}

/** "validation above 85.0 % while training stays below 92.0 %" */
export function describeTarget(t: RunTarget): string {
  const parts = [
    t.valAbove !== undefined ? `validation above ${formatPercent(t.valAbove)}` : null,
    t.trainBelow !== undefined ? `training below ${formatPercent(t.trainBelow)}` : null,
  ];
  return parts.filter(Boolean).join(' while ');
}

export function target(input: DoctorInput): Finding[] {
  const t = input.config.target;
  if (!hasTarget(t) || input.epochs.length === 0) return [];
  const met = firstMeeting(input.epochs, t);
  const last = input.epochs.at(-1)!;
  const text = describeTarget(t);
  if (met) {
    const count = input.epochs.filter((m) => meetsTarget(m, t)).length;
    return [
      {
        id: 'target',
        severity: 'info',
        title: `Target met at ${epochName(met)}: ${text}`,
        evidence: {
          text: `First met at ${epochName(met)} (validation ${met.valAcc === null ? '-' : formatPercent(met.valAcc)}, training ${formatPercent(met.trainAcc)}); ${count} of ${input.epochs.length} epochs meet it.`,
          epochs: [refOf(met)],
          figures: { phase: met.phase, epoch: epochNumber(met), epochsMeeting: count },
        },
        action: `Keep the weights of ${epochName(met)} or later epochs meeting it: early stopping on validation accuracy with "restore best" keeps one.`,
      },
    ];
  }
  return [
    {
      id: 'target',
      severity: input.final ? 'warning' : 'info',
      title: `Target ${input.final ? 'not met' : 'not met yet'}: ${text}`,
      evidence: {
        text: `At ${epochName(last)} validation is ${last.valAcc === null ? '-' : formatPercent(last.valAcc)} and training ${formatPercent(last.trainAcc)}.`,
        epochs: [refOf(last)],
        figures: { trainAcc: last.trainAcc, ...(last.valAcc === null ? {} : { valAcc: last.valAcc }) },
      },
      action:
        t.trainBelow !== undefined && last.trainAcc >= t.trainBelow
          ? 'Training already passes its ceiling: add augmentation or dropout, or stop earlier.'
          : 'Train longer, or fine-tune more blocks at a low learning rate.',
    },
  ];
}
