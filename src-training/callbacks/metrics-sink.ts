// Per-epoch metrics leave the trainer as they happen. The lead backs the sink with
// SQLite in the main process; the training process forwards through its protocol.
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import type { Callback, FitContext } from './types';

export interface MetricsSink {
  writeEpoch(metrics: EpochMetrics): void | Promise<void>;
}

export class MetricsRecorder implements Callback {
  readonly name = 'metrics';
  constructor(private readonly sink: MetricsSink) {}

  async onEpochEnd(_ctx: FitContext, m: EpochMetrics): Promise<void> {
    await this.sink.writeEpoch(m);
  }
}

/** An in-memory sink for tests and benches. */
export class MemorySink implements MetricsSink {
  readonly epochs: EpochMetrics[] = [];
  writeEpoch(m: EpochMetrics): void {
    this.epochs.push(m);
  }
}
