// Saves the loop's whole state after every epoch, so a killed run resumes where it
// stopped. It must come last in the callback list: it records what the others decided
// about this epoch (early stopping's counter, the best value so far).
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import type { Callback, FitContext, FitState } from './types';

export class ResumeCheckpoint implements Callback {
  readonly name = 'resume-checkpoint';

  constructor(private readonly write: (state: FitState) => Promise<void>) {}

  async onEpochEnd(ctx: FitContext, _m: EpochMetrics): Promise<void> {
    await this.write(await ctx.capture());
  }
}
