// Batch progress, throttled by the injected clock so a fast phase 1 does not flood the
// process channel: at most one event per interval, plus each epoch's last batch.
import type { BatchInfo, Callback, FitContext } from './types';

export class Progress implements Callback {
  readonly name = 'progress';
  private last = -Infinity;

  constructor(
    private readonly emit: (info: BatchInfo) => void,
    private readonly intervalMs = 250,
  ) {}

  onBatchEnd(ctx: FitContext, info: BatchInfo): void {
    const now = ctx.now();
    if (now - this.last < this.intervalMs && info.batch !== info.batches - 1) return;
    this.last = now;
    this.emit(info);
  }
}
