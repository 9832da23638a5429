// Per-epoch metrics of both phases laid end to end on one x axis (1, 2, ...), with where
// phase 2 begins and which epoch was kept. Pure, for the run page and comparison.
import type { RunConfig } from '../../src-shared/engine-config';
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import { epochTag, keptEpoch, keptReason } from '../../src-shared/epochs';

export interface Curves {
  x: number[];
  trainLoss: number[];
  valLoss: Array<number | null>;
  trainAcc: number[];
  valAcc: Array<number | null>;
  lr: number[];
  /** x where phase 2 starts (between two points), or null for one phase. */
  phaseBoundary: number | null;
  /** An x tick as the epoch's number within its phase (x 12 is phase 2's epoch 2 after 10 of phase 1). */
  tick: (x: number) => string;
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
    tick: (v) => {
      const e = Number.isInteger(v) ? epochs[v - 1] : undefined;
      return e ? String(e.epoch + 1) : '';
    },
  };
}

/** Where the kept epoch sits on the x axis and its caption: "kept p1 e13 (lowest val loss)". */
export function keptMarker(
  epochs: EpochMetrics[],
  config: RunConfig,
): { x: number; label: string; tag: string } | null {
  const k = keptEpoch(epochs, config);
  if (!k) return null;
  const tag = epochTag(k.metrics.phase, k.metrics.epoch);
  return { x: epochs.indexOf(k.metrics) + 1, label: `kept ${tag} (${keptReason(k)})`, tag };
}
