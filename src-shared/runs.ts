// The runs and backbones sections of the contract: what the run launcher, the live run
// page, the runs table, comparison and the error gallery read and send. Pure zod.
import { z } from 'zod';
import { Finding, FindingCounts } from './training-doctor/finding';
import { AugmentConfig, RunConfig } from './engine-config';
import { EpochMetrics } from './engine-metrics';
import { LrCurve, RunResult } from './engine-protocol';
import { formatBytes } from './format';
import { plural } from './plural';

const id = z.number().int();
const Phase = z.union([z.literal(1), z.literal(2)]);

export const RunStatus = z.enum(['queued', 'running', 'done', 'cancelled', 'failed', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

/**
 * One row of the runs table. The best epoch is the one whose weights the run keeps
 * (`keptEpoch`: early stopping's best by its monitor when it restores, else the last);
 * its phase and 0-based index within the phase are stored, and shown 1-based through
 * src-shared/epochs. Validation accuracy, macro F1 and the gap (train accuracy -
 * validation accuracy) are at that epoch; test figures are of the same weights.
 */
export const RunSummary = z.object({
  id,
  name: z.string(),
  status: RunStatus,
  backboneId: z.string(),
  inputSize: z.number().int(),
  /** Whether the config has a fine-tuning phase. */
  twoPhase: z.boolean(),
  epochs: z.number().int(),
  bestPhase: Phase.nullable(),
  bestEpoch: z.number().int().nullable(),
  bestValAcc: z.number().nullable(),
  bestMacroF1: z.number().nullable(),
  gap: z.number().nullable(),
  testAcc: z.number().nullable(),
  testMacroF1: z.number().nullable(),
  /** Validation and test images of the run's split: the n of their accuracies' 95 % intervals. */
  valCount: z.number().int().nullable(),
  testCount: z.number().int().nullable(),
  /** Wall time of the run, every attempt of a resumed run included. */
  trainMs: z.number().nullable(),
  /** The head's float32 weight file (HeadSpec size), known once the feature map is. */
  modelBytes: z.number().int().nullable(),
  groupId: id.nullable(),
  fold: z.number().int().nullable(),
  createdAt: z.number().int(),
  startedAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
  message: z.string().nullable(),
  /** The training doctor's findings by severity; absent until the doctor has looked at the run. */
  findings: FindingCounts.optional(),
  /** While it runs: epochs planned over both phases, and time left from each phase's mean epoch time (src-shared/run-time). */
  live: z
    .object({ planned: z.number().int(), etaS: z.number().nullable(), untimedPhase2: z.number().int() })
    .optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunDetail = RunSummary.extend({
  config: RunConfig,
  seed: z.number().int(),
  /** Class names in output order (sorted). */
  classes: z.array(z.string()),
  /** Engine backend name ('wasm', 'tensorflow-gpu', ...); versions are in result.backend. */
  backend: z.string().nullable(),
  backboneHash: z.string().nullable(),
  manifestDigest: z.string().nullable(),
  /** Images per split as the run's frozen manifest holds them. */
  splitSizes: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }).nullable(),
  result: RunResult.nullable(),
  /** The training doctor's findings, worst first: live while the run trains, final once it ended. */
  doctor: z
    .object({ findings: z.array(Finding), final: z.boolean() })
    .nullable()
    .optional(),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RunEpochs = z.object({ phase1: z.array(EpochMetrics), phase2: z.array(EpochMetrics) });
export type RunEpochs = z.infer<typeof RunEpochs>;

export const RunPrediction = z.object({
  imageId: id,
  hash: z.string(),
  /** Class indices into RunDetail.classes. */
  trueClass: z.number().int(),
  predicted: z.number().int(),
  loss: z.number(),
  probs: z.array(z.number()),
});
export type RunPrediction = z.infer<typeof RunPrediction>;

export const PredictionsQuery = z
  .object({
    runId: id,
    trueClass: z.number().int().min(0).optional(),
    predicted: z.number().int().min(0).optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(2000).default(200),
  })
  .strict();

export const StartRunInput = z
  .object({
    config: RunConfig,
    name: z.string().trim().min(1).max(200).optional(),
    /** K-fold cross-validation on train + val: a group of K runs; the test split stays apart. */
    folds: z.number().int().min(2).max(20).optional(),
  })
  .strict();
export type StartRunInput = z.input<typeof StartRunInput>;

export const StartRunOutput = z.object({ runIds: z.array(id), groupId: id.nullable() });

export const LrRangeOutput = z.object({ curve: LrCurve, suggestion: z.number().nullable() });

/** A range test under way: its training images' features (from the cache where it has them), then its steps. */
export const LrRangeProgress = z.object({
  stage: z.enum(['features', 'steps']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type LrRangeProgress = z.infer<typeof LrRangeProgress>;

export const MeanStd = z.object({ mean: z.number(), std: z.number(), n: z.number().int() });

export const GroupSummary = z.object({
  groupId: id,
  name: z.string(),
  folds: z.number().int(),
  /** Folds finished; the statistics cover these. */
  done: z.number().int(),
  metrics: z.object({
    bestValAcc: MeanStd.nullable(),
    bestMacroF1: MeanStd.nullable(),
    gap: MeanStd.nullable(),
    testAcc: MeanStd.nullable(),
    testMacroF1: MeanStd.nullable(),
    epochs: MeanStd.nullable(),
    trainMs: MeanStd.nullable(),
  }),
  runs: z.array(RunSummary),
});
export type GroupSummary = z.infer<typeof GroupSummary>;

export const RunsProgress = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('features'),
    runId: id,
    phase: Phase,
    split: z.enum(['train', 'val', 'test']),
    done: z.number().int(),
    total: z.number().int(),
    fromCache: z.number().int(),
    /** Images (views) computed per second over the last 30 s, and seconds until the phase's whole cache is built: absent until known. */
    rate: z.number().nonnegative().optional(),
    etaS: z.number().nonnegative().optional(),
  }),
  z.object({
    kind: z.literal('batch'),
    runId: id,
    phase: Phase,
    epoch: z.number().int(),
    batch: z.number().int(),
    batches: z.number().int(),
    loss: z.number(),
    lr: z.number(),
  }),
  /** The training process chose its backend and starts; or training ended and the kept weights are being evaluated. */
  z.object({
    kind: z.literal('stage'),
    runId: id,
    stage: z.enum(['starting', 'evaluating']),
    backend: z.string().optional(),
  }),
]);
export type RunsProgress = z.infer<typeof RunsProgress>;

/** "180 images/s, about 12 min left" for a cache build's progress; empty until the rate is known. The CLI and the run page say it alike. */
export function cacheRateText(p: { rate?: number; etaS?: number }): string {
  if (p.rate === undefined || p.etaS === undefined) return '';
  const s = p.etaS;
  const left = s < 90 ? `${Math.ceil(s)} s` : s < 90 * 60 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
  return `${p.rate.toFixed(0)} images/s, about ${left} left`;
}

const STAGE_NAMES: Record<string, string> = { features: 'Pooled features', split: 'Split-point activations' };

/** "webgpu on nvidia hopper (NVIDIA H100 ...)": the rung, and the adapter where one was used. */
function rungText(backend: RunResult['backend']): string {
  const a = backend.adapter;
  if (!a) return backend.name;
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'an unnamed adapter';
  return `${backend.name} on ${name}${a.description ? ` (${a.description})` : ''}${a.software ? ', a software adapter' : ''}`;
}

/**
 * ", 2 shards" or ", not sharded: the machine was busy (...)": how a phase's CPU step used the
 * cores (src-training/parallel). Nothing where the phase had no choice (a GPU rung, phase 1) or
 * ran before it was recorded.
 */
function shardText(shards: RunResult['phases'][number]['shards']): string {
  if (!shards) return '';
  if (shards.count > 1) return `, ${shards.count} shards`;
  return shards.note ? `, not sharded: ${shards.note}` : '';
}

/** Which rung of the training ladder trained each phase, in how many shards, and why the rungs above it were not used. */
function trainingLines(result: RunResult): string[] {
  const notUsed = result.backend.rejected.length
    ? ` (${result.backend.rejected.map((r) => `${r.name} not used: ${r.reason}`).join('; ')})`
    : '';
  return result.phases.map(
    (p) => `Phase ${p.phase} trained on ${rungText(result.backend)}${shardText(p.shards)}${notUsed}`,
  );
}

/**
 * What ran a run's frozen work and where its cached values were kept, one line per stage,
 * then what trained each phase; none for a run that never got that far, or ran before
 * either was recorded.
 */
export function frozenWorkLines(result: RunResult | null): string[] {
  if (!result) return [];
  return [...stageLines(result), ...trainingLines(result)];
}

function stageLines(result: RunResult): string[] {
  const stages = new Set([...Object.keys(result.inference ?? {}), ...Object.keys(result.featureStore ?? {})]);
  return [...stages].map((stage) => {
    const info = result.inference?.[stage];
    const store = result.featureStore?.[stage];
    const notUsed = info?.rejected.length
      ? ` (${info.rejected.map((r) => `${r.runtime} not used: ${r.reason}`).join('; ')})`
      : '';
    const ran = info
      ? `computed on ${info.runtime}, ${plural(info.threads, 'thread')}${notUsed}`
      : 'every value from the cache';
    const kept = !store
      ? ''
      : store.held
        ? `; ${formatBytes(store.bytes)}, held in memory`
        : `; ${formatBytes(store.bytes)}, over the memory budget, so read from the cache per batch (STUDIO_FEATURE_MEMORY_MB sets the budget)`;
    return `${STAGE_NAMES[stage] ?? stage}: ${ran}${kept}`;
  });
}

export const RunEpochEvent = z.object({ runId: id, metrics: EpochMetrics });
export type RunEpochEvent = z.infer<typeof RunEpochEvent>;

export const RunStatusEvent = z.object({ runId: id, status: RunStatus, message: z.string().nullable() });
export type RunStatusEvent = z.infer<typeof RunStatusEvent>;

/** Training images as the engine augments them: view k uses the feature cache's parameters for (hash, k, seed). */
export const AugmentPreviewInput = z
  .object({
    augment: AugmentConfig,
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    count: z.number().int().min(1).max(12).default(6),
    views: z.number().int().min(1).max(4).default(3),
    inputSize: z.number().int().min(16).max(1024).optional(),
  })
  .strict();
export type AugmentPreviewInput = z.infer<typeof AugmentPreviewInput>;

export const AugmentPreviewItem = z.object({
  imageId: id,
  hash: z.string(),
  /** Data URLs (JPEG): the decoded image at the preview size, then views 1..N. */
  original: z.string(),
  views: z.array(z.string()),
});
export const AugmentPreviewOutput = z.object({ items: z.array(AugmentPreviewItem) });
export type AugmentPreviewOutput = z.infer<typeof AugmentPreviewOutput>;
