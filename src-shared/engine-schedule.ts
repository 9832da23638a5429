// Learning-rate schedules as data, and the learning rate at any step. Pure, so the run
// editor can draw the curve before a run starts.
import { z } from 'zod';

export const LrSchedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), warmupEpochs: z.number().min(0).default(0) }).strict(),
  z
    .object({
      kind: z.literal('step'),
      everyEpochs: z.number().int().min(1),
      factor: z.number().gt(0).max(1),
      warmupEpochs: z.number().min(0).default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('cosine'),
      /** Final learning rate as a fraction of the base. */
      minFactor: z.number().min(0).max(1).default(0),
      warmupEpochs: z.number().min(0).default(0),
    })
    .strict(),
]);
export type LrSchedule = z.infer<typeof LrSchedule>;

export interface ScheduleClock {
  /** 0-based global step. */
  step: number;
  stepsPerEpoch: number;
  epochs: number;
}

/** Linear warm-up from base/steps to base, then the schedule's own shape. */
export function lrAt(schedule: LrSchedule, base: number, c: ScheduleClock): number {
  const warmSteps = Math.round(schedule.warmupEpochs * c.stepsPerEpoch);
  if (c.step < warmSteps) return (base * (c.step + 1)) / warmSteps;
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.factor ** Math.floor(c.step / c.stepsPerEpoch / schedule.everyEpochs);
    case 'cosine': {
      const total = Math.max(1, c.epochs * c.stepsPerEpoch - warmSteps);
      const t = Math.min(1, (c.step - warmSteps) / total);
      const min = base * schedule.minFactor;
      return min + ((base - min) * (1 + Math.cos(Math.PI * t))) / 2;
    }
  }
}
