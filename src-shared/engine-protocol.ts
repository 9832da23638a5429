// Messages between the main process and the training process. Each end parses what it
// receives with these schemas, never what it sends: the child is a separate program with
// other starters than the run service (tests, benches), the defaults below are filled at
// its door, and a malformed message must fail loudly, naming the field, not half-work.
import { z } from 'zod';
import { RunConfig } from './engine-config';
import { ClassMetrics, EpochMetrics } from './engine-metrics';
import { ExportFormat, ExportManifest } from './engine-export';
import { InputCheck } from './input-check';

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
  /** The per-user model cache (Keras .h5 weights, downloaded layers models), shared by all projects. */
  modelCache: z.string().min(1),
  /** This run's checkpoints and export: <project>/runs/<id>. */
  run: z.string().min(1),
});
export type RunDirs = z.infer<typeof RunDirs>;

export const BackendName = z.enum(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendName>;

export const ToEngine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    runId: z.string().min(1),
    config: RunConfig,
    data: RunData,
    dirs: RunDirs,
    /** Tests pin a backend; the app leaves it to the engine. */
    backend: BackendName.optional(),
    /** A killed run: go on from the last epoch checkpointed in its resume folder (`resumeDir`). */
    resume: z.boolean().default(false),
  }),
  z.object({ type: z.literal('cancel') }),
  z.object({
    type: z.literal('export'),
    config: RunConfig,
    classes: z.array(z.string()).min(2),
    /** The run's final weights (RunResult.checkpoint). */
    checkpoint: z.string().min(1),
    outDir: z.string().min(1),
    /** tfjs layers (model.json) or ONNX (model.onnx, preprocessing inside); old callers meant tfjs. */
    format: ExportFormat.default('tfjs'),
    /** Written into the export's manifest, so a model can be traced to the run that made it. */
    runId: z.string().min(1),
    configDigest: z.string(),
    modelCache: z.string().min(1),
    backend: BackendName.optional(),
  }),
  z.object({
    type: z.literal('lrRange'),
    config: RunConfig,
    data: RunData,
    dirs: RunDirs,
    steps: z.number().int().min(10).max(1000).default(100),
    backend: BackendName.optional(),
  }),
  /** The labeling assistant's features (the backbone's readout): whatever the cache lacks is computed and stored there. */
  z.object({
    type: z.literal('cacheFeatures'),
    backboneId: z.string().min(1),
    inputSize: z.number().int().min(8),
    images: z.array(RunImage.omit({ label: true })),
    dirs: RunDirs.pick({ featureCache: true, modelCache: true }),
    backend: BackendName.optional(),
  }),
]);
export type ToEngine = z.infer<typeof ToEngine>;
export type ToEngineInput = z.input<typeof ToEngine>;

/** The WebGPU adapter a run trained on, and the limits its device was opened with. */
export const WebGpuAdapter = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  software: z.boolean(),
  limits: z.record(z.string(), z.number()),
});
export type WebGpuAdapter = z.infer<typeof WebGpuAdapter>;

export const BackendInfo = z.object({
  name: BackendName,
  rejected: z.array(z.object({ name: BackendName, reason: z.string() })),
  versions: z.record(z.string(), z.string()),
  /** Set when the webgpu rung trains: which adapter, and how far its parity probe was from the cpu backend. */
  adapter: WebGpuAdapter.optional(),
  parity: z.number().optional(),
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

export const PhaseResult = z.object({
  phase: z.union([z.literal(1), z.literal(2)]),
  stop: StopInfo,
  epochs: z.number().int(),
  bestEpoch: z.number().int().nullable(),
  /** Backbone passes (features or split activations, cache misses only) and training, apart. */
  featureMs: z.number(),
  fitMs: z.number(),
  /** Training accuracy as training reported it for the weights kept, and the same images in inference mode. */
  trainAccReported: z.number().optional(),
  trainAccInference: z.number().optional(),
  /** WebGPU only: compiling the training step's shaders before the phase, not in fitMs; absent where nothing compiles. */
  warmupMs: z.number().nonnegative().optional(),
  /** Threads that stepped each batch data-parallel (1: the plain step), and why not more; absent in older runs. */
  shards: z.object({ count: z.number().int().positive(), note: z.string().optional() }).optional(),
});
export type PhaseResult = z.infer<typeof PhaseResult>;

/** What ran the frozen part (features, split activations): ONNX Runtime, else the tfjs backend. */
export const FrozenRuntime = z.enum([
  'onnxruntime-cuda',
  'onnxruntime-cpu',
  'tfjs-tensorflow',
  'tfjs-wasm',
  'tfjs-cpu',
  'tfjs-webgl',
  'tfjs-webgpu',
]);
export type FrozenRuntime = z.infer<typeof FrozenRuntime>;

export const InferenceInfo = z.object({
  runtime: FrozenRuntime,
  threads: z.number().int(),
  /** Runtimes tried first, and why each was not used. */
  rejected: z.array(z.object({ runtime: z.string(), reason: z.string() })),
});
export type InferenceInfo = z.infer<typeof InferenceInfo>;

export const RunTiming = z.object({
  /** Building (or reading) the frozen backbone's feature and split-point caches, both phases. */
  cacheMs: z.number().nonnegative(),
  /** Training epochs (with their validation) of each phase. */
  phase1Ms: z.number().nonnegative(),
  phase2Ms: z.number().nonnegative(),
  /** WebGPU only: compiling the training steps' shaders, apart from the phases; absent where nothing compiles. */
  warmupMs: z.number().nonnegative().optional(),
  /** The kept weights on the test and validation splits, the latency probe and the final checkpoint. */
  evalMs: z.number().nonnegative(),
});
export type RunTiming = z.infer<typeof RunTiming>;

export const RunResult = z.object({
  backend: BackendInfo,
  /** Per stage of frozen inference ('features' for phase 1, 'split' for phase 2's cache); absent in runs before it was recorded. */
  inference: z.record(z.string(), InferenceInfo).optional(),
  /** Per stage, the bytes its cached values take and whether memory held them (false: read from the cache per batch). */
  featureStore: z.record(z.string(), z.object({ bytes: z.number().nonnegative(), held: z.boolean() })).optional(),
  backboneHash: z.string(),
  /** [h, w, c] of the backbone's feature map at the run's input size. */
  featureShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  phases: z.array(PhaseResult),
  test: TestReport.nullable(),
  /** Folder holding the trained weights (head and unfrozen blocks). */
  checkpoint: z.string(),
  /** Whole run, every attempt of a resumed run included. */
  wallMs: z.number(),
  /** Where the wall time went; the rest is start-up (backbone load, head build). Absent in older runs. */
  timing: RunTiming.optional(),
  /** Backbone + head on one image (batch 1) on the training backend, timed after the run; absent in older runs. */
  latency: z.object({ msPerImage: z.number(), repeats: z.number().int(), backend: z.string() }).optional(),
  /** Parameters of the backbone as loaded (frozen and unfrozen), without the head. */
  backboneParams: z.number().int().optional(),
  /** What the backbone saw on the first training images (the doctor's preprocessing rule); absent in older runs. */
  inputCheck: InputCheck.optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** One test image as the best weights see it: the error gallery and confusion drill-down read these. */
export const Prediction = z.object({
  hash: z.string(),
  label: z.number().int(),
  predicted: z.number().int(),
  loss: z.number(),
  probs: z.array(z.number()),
});
export type Prediction = z.infer<typeof Prediction>;

export const LrCurve = z.array(z.object({ lr: z.number(), loss: z.number() }));

export const FromEngine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: BackendInfo }),
  z.object({
    type: z.literal('features'),
    phase: z.union([z.literal(1), z.literal(2)]),
    split: z.enum(['train', 'val', 'test']),
    done: z.number().int(),
    total: z.number().int(),
    fromCache: z.number().int(),
    /** Values computed per second over the last 30 s (cache hits not counted); absent until known. */
    rate: z.number().nonnegative().optional(),
    /** Seconds until the phase's whole cache (every split) is built, at that rate. */
    etaS: z.number().nonnegative().optional(),
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
  /** Training has ended: the kept weights are being evaluated on the test and validation splits. */
  z.object({ type: z.literal('evaluating') }),
  /** A resumed run goes on at this phase and epoch; anything recorded after it is stale. */
  z.object({ type: z.literal('resumed'), phase: z.union([z.literal(1), z.literal(2)]), epoch: z.number().int() }),
  /** With the final weights: the test split's, and the validation split's (a k-fold run's out-of-fold predictions). */
  z.object({ type: z.literal('predictions'), split: z.enum(['test', 'val']), rows: z.array(Prediction) }),
  z.object({ type: z.literal('done'), result: RunResult }),
  z.object({ type: z.literal('exported'), dir: z.string(), manifest: ExportManifest }),
  z.object({ type: z.literal('lrRange'), curve: LrCurve, suggestion: z.number().nullable() }),
  /** A range test's step ended: steps done, of at most `total`. */
  z.object({ type: z.literal('lrStep'), done: z.number().int(), total: z.number().int() }),
  /** The cache holds every image's features now, under this key (FeatureCache's). */
  z.object({
    type: z.literal('featuresCached'),
    key: z.object({
      backboneId: z.string(),
      backboneHash: z.string(),
      inputSize: z.number().int(),
      point: z.string(),
      length: z.number().int(),
    }),
    /** Values per readout layer, in order (absent: one pooled layer). */
    blocks: z.array(z.number().int().positive()).optional(),
  }),
  z.object({ type: z.literal('cancelled') }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type FromEngine = z.infer<typeof FromEngine>;
