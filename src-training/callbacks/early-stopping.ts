// Stops when the monitored metric has not improved by minDelta for `patience` epochs,
// and (by default) puts back the weights of the best epoch: seed 000 trained 100
// epochs and kept the last, overfit one.
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import type { EarlyStoppingSpec } from '../../src-shared/engine-config';
import { epochText, MONITOR_NAMES } from '../../src-shared/epochs';
import { improves, monitorValue } from './monitor';
import type { Callback, FitContext, WeightSnapshot } from './types';

interface State {
  best: number | null;
  bestEpoch: number;
  wait: number;
}

export class EarlyStopping implements Callback {
  readonly name = 'early-stopping';
  private state: State = { best: null, bestEpoch: -1, wait: 0 };
  private bestWeights: WeightSnapshot | null = null;

  constructor(private readonly spec: EarlyStoppingSpec) {}

  get bestEpoch(): number {
    return this.state.bestEpoch;
  }

  async onEpochEnd(ctx: FitContext, m: EpochMetrics): Promise<void> {
    const value = monitorValue(m, this.spec.monitor);
    if (improves(this.spec.monitor, value, this.state.best, this.spec.minDelta)) {
      this.state = { best: value, bestEpoch: m.epoch, wait: 0 };
      if (this.spec.restoreBest) this.bestWeights = await ctx.snapshot();
      return;
    }
    this.state.wait += 1;
    // Keras' rule: patience N stops after N epochs in a row without improvement.
    if (this.state.wait >= this.spec.patience) {
      const best = this.state.best === null ? 'none' : Number(this.state.best.toPrecision(4));
      const name = MONITOR_NAMES[this.spec.monitor];
      ctx.stop(
        `${name} did not improve for ${this.state.wait} epochs, the patience (best ${best}, at ${epochText(ctx.phase, this.state.bestEpoch)})`,
      );
    }
  }

  onFitEnd(ctx: FitContext): void {
    if (this.bestWeights) ctx.restore(this.bestWeights);
  }

  saveState(): State {
    return { ...this.state };
  }

  loadState(state: unknown): void {
    this.state = { ...(state as State) };
  }

  stateWeights(): WeightSnapshot | null {
    return this.bestWeights;
  }

  loadStateWeights(weights: WeightSnapshot): void {
    this.bestWeights = weights;
  }
}
