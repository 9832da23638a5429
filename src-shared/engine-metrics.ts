// Classification metrics from predicted and true class indices. Pure, so the UI can
// recompute what a dashboard shows (for a fold mean, say) with the same arithmetic.
import { z } from 'zod';

export const ClassMetrics = z.object({
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
});
export type ClassMetrics = z.infer<typeof ClassMetrics>;

export const EpochMetrics = z.object({
  phase: z.union([z.literal(1), z.literal(2)]),
  epoch: z.number().int(),
  trainLoss: z.number(),
  trainAcc: z.number(),
  valLoss: z.number().nullable(),
  valAcc: z.number().nullable(),
  valMacroF1: z.number().nullable(),
  /** Per class, on validation (training's when there is no validation split). */
  perClass: z.array(ClassMetrics),
  /** confusion[true][predicted]. */
  confusion: z.array(z.array(z.number().int())),
  lr: z.number(),
  epochMs: z.number(),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (truth.length !== predicted.length)
    throw new Error(`confusionMatrix: ${truth.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]! += 1;
  return m;
}

/** A class never predicted has precision 0 (sklearn's zero_division=0), not NaN. */
export function perClassMetrics(confusion: number[][]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((n, r) => n + r[c]!, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
}

/** Mean F1 over the classes present in the truth. */
export function macroF1(per: ClassMetrics[]): number {
  const present = per.filter((c) => c.support > 0);
  return present.length === 0 ? 0 : present.reduce((n, c) => n + c.f1, 0) / present.length;
}

export function accuracy(confusion: number[][]): number {
  const total = confusion.reduce((n, r) => n + r.reduce((a, b) => a + b, 0), 0);
  return total === 0 ? 0 : confusion.reduce((n, r, i) => n + r[i]!, 0) / total;
}

/** Mean and sample standard deviation, for k-fold summaries. */
export function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length < 2 ? 0 : values.reduce((n, v) => n + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Wilson's 95 % score interval for a proportion of k successes in n trials: honest at
 * small n and near 0 or 1, where the normal approximation is not. A test set of 180
 * images at 80 % accuracy spans about 73.6 % to 85.2 %.
 */
export function wilsonInterval(k: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
