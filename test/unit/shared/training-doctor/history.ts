// Crafted epoch histories and run inputs for the doctor's rule tests.
import { RunConfig } from '../../../../src-shared/engine-config';
import type { RunConfigInput } from '../../../../src-shared/engine-config';
import type { EpochMetrics } from '../../../../src-shared/engine-metrics';
import type { DoctorInput } from '../../../../src-shared/training-doctor';

export interface Point {
  trainLoss: number;
  trainAcc: number;
  valLoss?: number | null;
  valAcc?: number | null;
  confusion?: number[][];
}

export function history(phase: 1 | 2, points: Point[], from = 0): EpochMetrics[] {
  return points.map((p, i) => ({
    phase,
    epoch: from + i,
    trainLoss: p.trainLoss,
    trainAcc: p.trainAcc,
    valLoss: p.valLoss ?? null,
    valAcc: p.valAcc ?? null,
    valMacroF1: p.valAcc ?? null,
    perClass: [],
    confusion: p.confusion ?? [],
    lr: 0.001,
    epochMs: 1000,
  }));
}

/** A run whose losses fall and level off, validation tracking training: nothing to say. */
export function healthy(epochs = 12): EpochMetrics[] {
  return history(
    1,
    Array.from({ length: epochs }, (_, i) => {
      const t = 1 - Math.exp(-i / 2);
      return { trainLoss: 1.2 - 0.9 * t, trainAcc: 0.5 + 0.45 * t, valLoss: 1.25 - 0.9 * t, valAcc: 0.5 + 0.42 * t };
    }),
  );
}

export function config(over: Partial<RunConfigInput> = {}): RunConfig {
  return RunConfig.parse({
    backboneId: 'nsfwjs_mobilenet_v2',
    inputSize: 96,
    phase1: { epochs: 12, optimizer: { kind: 'adam', lr: 0.001 } },
    ...over,
  });
}

export function input(over: Partial<DoctorInput> = {}): DoctorInput {
  return {
    epochs: healthy(),
    config: config(),
    classes: ['a', 'b', 'c'],
    splitSizes: { train: 2000, val: 500, test: 500 },
    final: true,
    ...over,
  };
}
