// Keeps the best epoch's weights of what trains (head and unfrozen blocks, never the
// frozen backbone) through a writer the caller gives, e.g. into runs/<id>/best/.
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import type { Monitor } from '../../src-shared/engine-config';
import { improves, monitorValue } from './monitor';
import type { Callback, FitContext, WeightSnapshot } from './types';

export type CheckpointWriter = (weights: WeightSnapshot, metrics: EpochMetrics) => Promise<void> | void;

export class BestCheckpoint implements Callback {
  readonly name = 'best-checkpoint';
  private best: number | null = null;
  savedEpoch = -1;

  constructor(
    private readonly monitor: Monitor,
    private readonly write: CheckpointWriter,
  ) {}

  async onEpochEnd(ctx: FitContext, m: EpochMetrics): Promise<void> {
    const value = monitorValue(m, this.monitor);
    if (!improves(this.monitor, value, this.best, 0)) return;
    this.best = value;
    this.savedEpoch = m.epoch;
    await this.write(await ctx.snapshot(), m);
  }

  saveState(): { best: number | null; savedEpoch: number } {
    return { best: this.best, savedEpoch: this.savedEpoch };
  }

  loadState(state: unknown): void {
    const s = state as { best: number | null; savedEpoch: number };
    this.best = s.best;
    this.savedEpoch = s.savedEpoch;
  }
}
