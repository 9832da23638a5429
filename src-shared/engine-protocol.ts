// Messages between the main process and the training process. Both ends parse what they
// receive with these schemas: the child is a separate program and may be a newer or
// older build, and a malformed message must fail loudly, not half-work.
import { z } from 'zod';
import { RunConfig } from './engine-config';
import { ClassMetrics, EpochMetrics } from './engine-metrics';

export const RunImage = z.object({
  hash: z.string().regex(/^[A-Za-z0-9_-]+$/),
  path: z.string().min(1),
  label: z.number().int().min(0),
});
export type RunImage = z.infer<typeof RunImage>;

export const RunData = z.object({
  classes: z.array(z.string()).min(2),
  train: z.array(RunImage).min(1),
  val: z.array(RunImage).default([]),
  test: z.array(RunImage).default([]),
});
export type RunData = z.infer<typeof RunData>;

export const RunDirs = z.object({
  /** Feature cache, shared by the project's runs: <project>/cache/features. */
  featureCache: z.string().min(1),
  /** Downloaded backbones: <project>/cache/models. */
  modelCache: z.string().min(1),
  /** This run's checkpoints and export: <project>/runs/<id>. */
  run: z.string().min(1),
});
export type RunDirs = z.infer<typeof RunDirs>;

export const BackendName = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);

export const ToEngine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    runId: z.string().min(1),
    config: RunConfig,
    data: RunData,
    dirs: RunDirs,
    /** Tests pin a backend; the app leaves it to the engine. */
    backend: BackendName.optional(),
  }),
  z.object({ type: z.literal('cancel') }),
]);
export type ToEngine = z.infer<typeof ToEngine>;
export type ToEngineInput = z.input<typeof ToEngine>;

export const BackendInfo = z.object({
  name: BackendName,
  rejected: z.array(z.object({ name: BackendName, reason: z.string() })),
  versions: z.record(z.string(), z.string()),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

export const TestReport = z.object({
  loss: z.number(),
  accuracy: z.number(),
  macroF1: z.number(),
  perClass: z.array(ClassMetrics),
  confusion: z.array(z.array(z.number().int())),
});
export type TestReport = z.infer<typeof TestReport>;

export const StopInfo = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('completed') }),
  z.object({ kind: z.literal('stopped'), by: z.string(), reason: z.string() }),
  z.object({ kind: z.literal('cancelled') }),
]);

export const RunResult = z.object({
  backend: BackendInfo,
  backboneHash: z.string(),
  phases: z.array(z.object({ phase: z.union([z.literal(1), z.literal(2)]), stop: StopInfo, epochs: z.number().int(), bestEpoch: z.number().int().nullable() })),
  test: TestReport.nullable(),
  /** Folder holding the trained weights (head and unfrozen blocks). */
  checkpoint: z.string(),
  wallMs: z.number(),
});
export type RunResult = z.infer<typeof RunResult>;

export const FromEngine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: BackendInfo }),
  z.object({
    type: z.literal('features'),
    phase: z.union([z.literal(1), z.literal(2)]),
    split: z.enum(['train', 'val', 'test']),
    done: z.number().int(),
    total: z.number().int(),
    fromCache: z.number().int(),
  }),
  z.object({
    type: z.literal('batch'),
    phase: z.union([z.literal(1), z.literal(2)]),
    epoch: z.number().int(),
    batch: z.number().int(),
    batches: z.number().int(),
    loss: z.number(),
    lr: z.number(),
  }),
  z.object({ type: z.literal('epoch'), metrics: EpochMetrics }),
  z.object({ type: z.literal('done'), result: RunResult }),
  z.object({ type: z.literal('cancelled') }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type FromEngine = z.infer<typeof FromEngine>;
