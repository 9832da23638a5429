// One epoch convention for every reader: the engine counts epochs from 0 within their
// phase (array indices); people read them from 1 within their phase, "phase 1, epoch 13"
// in a sentence and "p1 e13" where space is tight. And one answer to "which epoch's
// weights did the run keep?", the one early stopping restored, chosen by its monitor.
import type { FitConfig, Monitor, RunConfig } from './engine-config';
import type { EpochMetrics } from './engine-metrics';

/** "phase 1, epoch 13" for the engine's phase 1, epoch index 12. */
export function epochText(phase: number, epoch: number): string {
  return `phase ${phase}, epoch ${epoch + 1}`;
}

/** "p1 e13" for the engine's phase 1, epoch index 12. */
export function epochTag(phase: number, epoch: number): string {
  return `p${phase} e${epoch + 1}`;
}

export const MONITOR_NAMES: Record<Monitor, string> = {
  valLoss: 'val loss',
  valAcc: 'val acc',
  valMacroF1: 'val macro F1',
  trainLoss: 'train loss',
};

/** Losses improve downwards, accuracies and F1 upwards. */
export function improves(monitor: Monitor, value: number, best: number | null, minDelta: number): boolean {
  if (best === null) return true;
  return monitor.endsWith('Loss') ? value < best - minDelta : value > best + minDelta;
}

export interface KeptEpoch {
  metrics: EpochMetrics;
  /** The metric that chose it: early stopping's monitor, else the best checkpoint's. */
  monitor: Monitor;
  /** True when early stopping restores it; false when the run keeps its last epoch. */
  restored: boolean;
}

function fitOf(config: RunConfig, phase: 1 | 2): FitConfig {
  return phase === 2 && config.phase2 ? config.phase2 : config.phase1;
}

/**
 * The epoch whose weights the run ends with, or would if it ended now: in the phase that
 * ran last, the best by early stopping's rule when it restores the best, else the last
 * epoch. The test figures and the exported model are of these weights.
 */
export function keptEpoch(epochs: EpochMetrics[], config: RunConfig): KeptEpoch | null {
  const last = epochs.at(-1);
  if (!last) return null;
  const es = fitOf(config, last.phase).earlyStopping;
  const monitor: Monitor = es?.monitor ?? (last.valLoss !== null ? 'valLoss' : 'trainLoss');
  if (!es?.restoreBest) return { metrics: last, monitor, restored: false };
  let best: EpochMetrics | null = null;
  for (const m of epochs) {
    const value = m.phase === last.phase ? m[monitor] : null;
    if (value !== null && improves(monitor, value, best?.[monitor] ?? null, es.minDelta)) best = m;
  }
  return { metrics: best ?? last, monitor, restored: best !== null };
}

/** "lowest val loss" / "highest val acc": how the kept epoch was chosen, for a chart caption. */
export function keptReason(k: KeptEpoch): string {
  if (!k.restored) return 'last epoch';
  return `${k.monitor.endsWith('Loss') ? 'lowest' : 'highest'} ${MONITOR_NAMES[k.monitor]}`;
}
