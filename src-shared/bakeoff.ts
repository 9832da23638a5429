// The bake-off and label-error sections of the contract: several backbones trained on one
// plan (same frozen split, seed and head), compared on accuracy with its sampling noise,
// time, latency and size; and the images whose given label the k-fold runs doubt. Pure zod
// plus the small math the table and the chart share.
import { z } from 'zod';
import { RunConfig } from './engine-config';
import { RunStatus } from './runs';

const id = z.number().int();

export const BakeoffEntry = z
  .object({ backboneId: z.string().min(1).max(100), inputSize: z.number().int().positive().optional() })
  .strict();
export type BakeoffEntry = z.infer<typeof BakeoffEntry>;

export const StartBakeoffInput = z
  .object({
    /** The plan every entry shares; its backboneId and inputSize are replaced per entry. */
    config: RunConfig,
    entries: z.array(BakeoffEntry).min(2).max(12),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type StartBakeoffInput = z.input<typeof StartBakeoffInput>;

export const StartBakeoffOutput = z.object({ bakeoffId: id, runIds: z.array(id) });

/** A proportion with its Wilson 95 % interval and the set size it rests on. */
export const Proportion = z.object({ value: z.number(), low: z.number(), high: z.number(), n: z.number().int() });
export type Proportion = z.infer<typeof Proportion>;

export const BakeoffRow = z.object({
  runId: id,
  status: RunStatus,
  backboneId: z.string(),
  inputSize: z.number().int(),
  epochs: z.number().int(),
  /** At the best epoch (the runs table's rule). */
  valAcc: Proportion.nullable(),
  valMacroF1: z.number().nullable(),
  testAcc: Proportion.nullable(),
  testMacroF1: z.number().nullable(),
  /** Mean wall time of an epoch in each phase (training on cached features or split activations). */
  phase1EpochMs: z.number().nullable(),
  phase2EpochMs: z.number().nullable(),
  /** Backbone passes that built the feature (and split-activation) caches: PhaseResult.featureMs summed. */
  cacheMs: z.number().nullable(),
  /** Backbone + head on one image, batch 1, on the run's training backend, measured after the run. */
  latencyMs: z.number().nullable(),
  backboneParams: z.number().int().nullable(),
  headParams: z.number().int().nullable(),
  /** float32 weights of backbone + head. */
  weightBytes: z.number().int().nullable(),
  /** Best accuracy for its latency: no other finished row is at least as accurate and as fast, and better in one. */
  pareto: z.boolean(),
});
export type BakeoffRow = z.infer<typeof BakeoffRow>;

export const BakeoffSummary = z.object({
  bakeoffId: id,
  name: z.string(),
  createdAt: z.number().int(),
  seed: z.number().int(),
  manifestDigest: z.string().nullable(),
  /** Which accuracy the Pareto front and the chart use: test where every finished row has one. */
  accuracyOf: z.enum(['test', 'val']),
  done: z.number().int(),
  rows: z.array(BakeoffRow),
});
export type BakeoffSummary = z.infer<typeof BakeoffSummary>;

export const BakeoffListItem = z.object({
  bakeoffId: id,
  name: z.string(),
  createdAt: z.number().int(),
  runIds: z.array(id),
});
export type BakeoffListItem = z.infer<typeof BakeoffListItem>;

export const SuspectsInput = z
  .object({
    /** A k-fold group's id with `group`, else any run of the group. */
    runId: id,
    group: z.boolean().default(false),
    rankBy: z.enum(['self-confidence', 'margin']).default('self-confidence'),
    limit: z.number().int().min(1).max(2000).default(100),
  })
  .strict();
export type SuspectsInput = z.input<typeof SuspectsInput>;

export const LabelSuspectItem = z.object({
  imageId: id,
  hash: z.string(),
  /** Class indices into `classes`: the label the runs trained on, and the class the model puts above its threshold. */
  given: z.number().int(),
  suggested: z.number().int(),
  selfConfidence: z.number(),
  /** p(given) - max p(other): negative where another class wins. */
  margin: z.number(),
  probs: z.array(z.number()),
  /** The fold run that held this image out. */
  runId: id,
  /** The image's label in the project now (null: unlabeled), which a relabel changes. */
  currentClass: z.string().nullable(),
});
export type LabelSuspectItem = z.infer<typeof LabelSuspectItem>;

export const SuspectsOutput = z.object({
  groupId: id,
  classes: z.array(z.string()),
  folds: z.number().int(),
  foldsDone: z.number().int(),
  /** Images with an out-of-fold prediction. */
  images: z.number().int(),
  /** Per-class threshold: mean self-confidence of the class's images; null for a class with none. */
  thresholds: z.array(z.number().nullable()),
  total: z.number().int(),
  items: z.array(LabelSuspectItem),
});
export type SuspectsOutput = z.infer<typeof SuspectsOutput>;

export interface ParetoPoint {
  accuracy: number;
  latency: number;
}

/** Indices of the points no other point dominates (at least as accurate and as fast, better in one). */
export function paretoFront(points: ParetoPoint[]): Set<number> {
  const front = new Set<number>();
  points.forEach((p, i) => {
    const dominated = points.some(
      (q, j) =>
        j !== i &&
        q.accuracy >= p.accuracy &&
        q.latency <= p.latency &&
        (q.accuracy > p.accuracy || q.latency < p.latency),
    );
    if (!dominated) front.add(i);
  });
  return front;
}

/**
 * The plan's input size as a backbone can take it: the plan's own size when the backbone
 * accepts it (in its list, or at least its minimum where any size from there up is
 * accepted), else the nearest size it offers. A bake-off at 128 px runs every backbone at
 * 128 px where it can, so its results line up with the person's own runs.
 */
export function fitInputSize(plan: number, b: { allowedInputSizes: number[]; minInputSize: number | null }): number {
  if (b.allowedInputSizes.includes(plan) || (b.minInputSize !== null && plan >= b.minInputSize)) return plan;
  const sizes = b.minInputSize !== null ? [...b.allowedInputSizes, b.minInputSize] : b.allowedInputSizes;
  return sizes.reduce((best, s) =>
    Math.abs(s - plan) < Math.abs(best - plan) || (Math.abs(s - plan) === Math.abs(best - plan) && s > best) ? s : best,
  );
}

/** A bake-off run's name: the backbone and size first, so names differ where a narrow column cuts them. */
export function bakeoffRunName(backboneId: string, inputSize: number, bakeoff: string): string {
  return `${backboneId} ${inputSize}px · ${bakeoff}`.slice(0, 200);
}
