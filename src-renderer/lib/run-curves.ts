// Per-epoch metrics of both phases laid end to end on one x axis (1, 2, ...), with where
// phase 2 begins and which epoch was best. Pure, for the run page and comparison.
import type { EpochMetrics } from '../../src-shared/engine-metrics';

export interface Curves {
  x: number[];
  trainLoss: number[];
  valLoss: Array<number | null>;
  trainAcc: number[];
  valAcc: Array<number | null>;
  lr: number[];
  /** x where phase 2 starts (between two points), or null for one phase. */
  phaseBoundary: number | null;
}

export function curvesOf(epochs: EpochMetrics[]): Curves {
  const x = epochs.map((_, i) => i + 1);
  const firstP2 = epochs.findIndex((e) => e.phase === 2);
  return {
    x,
    trainLoss: epochs.map((e) => e.trainLoss),
    valLoss: epochs.map((e) => e.valLoss),
    trainAcc: epochs.map((e) => e.trainAcc),
    valAcc: epochs.map((e) => e.valAcc),
    lr: epochs.map((e) => e.lr),
    phaseBoundary: firstP2 > 0 ? firstP2 + 0.5 : null,
  };
}

/** The x of the best epoch (phase, 0-based epoch), or null when it is not among the points. */
export function bestX(epochs: EpochMetrics[], phase: number | null, epoch: number | null): number | null {
  if (phase === null || epoch === null) return null;
  const i = epochs.findIndex((e) => e.phase === phase && e.epoch === epoch);
  return i < 0 ? null : i + 1;
}

/** Seconds left at the mean epoch time, if every planned epoch runs (early stopping may end sooner). */
export function etaSeconds(epochs: EpochMetrics[], planned: number): number | null {
  if (epochs.length === 0) return null;
  const mean = epochs.reduce((n, e) => n + e.epochMs, 0) / epochs.length;
  return (Math.max(0, planned - epochs.length) * mean) / 1000;
}

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)} %`;
}
