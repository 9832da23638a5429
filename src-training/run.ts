// A whole training run, as the training process executes it: load the backbone, cache
// features, phase 1 on pooled features, optional phase 2 on split activations, then the
// test split with the best weights. Every epoch leaves a resumable checkpoint, so a
// killed process goes on from there. Everything leaves as events; nothing here touches
// the project database.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { FitConfig, RunConfig } from '../src-shared/engine-config';
import type { EpochMetrics } from '../src-shared/engine-metrics';
import type { InputCheck } from '../src-shared/input-check';
import type {
  BackendInfo,
  FromEngine,
  InferenceInfo,
  RunData,
  RunDirs,
  RunResult,
  RunTiming,
} from '../src-shared/engine-protocol';
import { findBackbone } from '../src-node-shared/backbones/registry';
import { loadBackbone } from './backbones/load';
import type { Backbone } from './backbones/load';
import { splitBackbone } from './backbones/split';
import type { SplitBackbone } from './backbones/split';
import { BestCheckpoint } from './callbacks/checkpoint';
import { EarlyStopping } from './callbacks/early-stopping';
import { MetricsRecorder } from './callbacks/metrics-sink';
import { Progress } from './callbacks/progress';
import { ResumeCheckpoint } from './callbacks/resume-checkpoint';
import type { Callback, FitState } from './callbacks/types';
import { extractorRuntime, pooledExtractor, splitExtractor } from './data/features';
import { checkInput } from './data/input-check';
import type { Extractor } from './data/features';
import { buildHead } from './head';
import type { Head } from './head';
import { buildPhase2Model, reestimateSuffixBatchNorm } from './phase2';
import { hasRunState, readRunState, resumeDir, writeRunState } from './resume-state';
import type { PhaseRecord, RunState } from './resume-state';
import { featureSets, pooledFromSplit, testOutcome } from './data/run-sets';
import type { FeatureStore, Sets } from './data/run-sets';
import { evaluate, fit, snapshotOf, systemClock } from './trainer';
import { measureLatency } from './latency';
import type { Clock } from './trainer';
import { saveSnapshot } from './weights-io';
import { openShards } from './parallel/phase-shards';
import { warmUpShaders } from './shader-warmup';

export interface RunEnv {
  dirs: RunDirs;
  backend: BackendInfo;
  emit: (e: FromEngine) => void;
  signal?: AbortSignal;
  clock?: Clock;
  /** Go on from the run's resume folder; a missing checkpoint there means: start from the beginning. */
  resume?: boolean;
  /** Most bytes of cached values held in memory (default: featureMemoryBudget()); more are read per batch. */
  holdBytes?: number;
}

interface Ctx {
  cfg: RunConfig;
  data: RunData;
  env: RunEnv;
  backbone: Backbone;
  head: Head;
  completed: PhaseRecord[];
  clock: Clock;
  t0: number;
  priorMs: number;
  /** What ran the frozen part, per stage, when it ran in this attempt. */
  inference: Record<string, InferenceInfo>;
  /** Per stage: what its values take, and whether memory held them. */
  store: Record<string, FeatureStore>;
  /** Phase 2's cut, and its activations once computed (phase 1 derives its features from them). */
  split?: SplitBackbone;
  splitSets?: Sets;
  /** What the backbone saw on the first training images, for the doctor. */
  inputCheck: InputCheck | null;
}

interface PhaseOut {
  record: PhaseRecord;
  model: tf.LayersModel;
  sets: Sets;
}

function callbacks(
  phase: 1 | 2,
  fc: FitConfig,
  ctx: Ctx,
  hasVal: boolean,
): { list: Callback[]; stopper: EarlyStopping | null } {
  const { env } = ctx;
  const stopper = fc.earlyStopping ? new EarlyStopping(fc.earlyStopping) : null;
  const ckpt = new BestCheckpoint(fc.earlyStopping?.monitor ?? (hasVal ? 'valLoss' : 'trainLoss'), (w, m) =>
    saveSnapshot(join(env.dirs.run, `phase${phase}-best`), w, { epoch: m.epoch }),
  );
  const resume = new ResumeCheckpoint((fit) =>
    writeRunState(resumeDir(env.dirs), {
      fit,
      completed: ctx.completed,
      elapsedMs: ctx.priorMs + ctx.clock.now() - ctx.t0,
    }),
  );
  const list: Callback[] = [
    new MetricsRecorder({ writeEpoch: (m) => env.emit({ type: 'epoch', metrics: m }) }),
    new Progress((b) => env.emit({ type: 'batch', ...b })),
    ckpt,
  ];
  if (stopper) list.push(stopper);
  // Last: it records what the callbacks before it decided about the epoch.
  list.push(resume);
  return { list, stopper };
}

/**
 * Phase 1 of a two-phase run takes its features from the split activations phase 2 needs
 * anyway (kept for it), so the backbone's prefix runs once per image, not twice.
 */
async function phaseSets(phase: 1 | 2, ctx: Ctx): Promise<{ sets: Sets; split: SplitBackbone | null }> {
  const { cfg, env, backbone } = ctx;
  if (!cfg.phase2)
    return { sets: await extract('features', pooledExtractor(backbone, cfg.head.pooling), ctx, 1), split: null };
  ctx.split ??= splitBackbone(backbone, cfg.phase2.unfreezeBlocks);
  const splitSets = ctx.splitSets ?? (await extract('split', splitExtractor(backbone, ctx.split), ctx, phase));
  if (phase === 2) return { sets: splitSets, split: ctx.split };
  ctx.splitSets = splitSets;
  return { sets: await pooledFromSplit(splitSets, ctx.split, cfg.head.pooling, env), split: null };
}

/** Features from the cache or the frozen network; which runtime ran it is kept for the run's record. */
async function extract(stage: 'features' | 'split', ex: Extractor, ctx: Ctx, phase: 1 | 2): Promise<Sets> {
  const sets = await featureSets(phase, ex, ctx.backbone, ctx.cfg, ctx.data, ctx.env);
  const info = await extractorRuntime(ex);
  if (info) ctx.inference[stage] = info;
  ctx.store[stage] = sets.store;
  return sets;
}

async function trainPhase(phase: 1 | 2, ctx: Ctx, resume: FitState | undefined): Promise<PhaseOut> {
  const { cfg, data, env, head } = ctx;
  const fc: FitConfig = phase === 1 ? cfg.phase1 : cfg.phase2!;
  const tf0 = ctx.clock.now();
  const { sets, split } = await phaseSets(phase, ctx);
  const featureMs = ctx.clock.now() - tf0;
  // A resumed phase 2 restores the re-estimated statistics with its weights.
  if (split && cfg.phase2!.batchNorm === 'reestimate' && !resume)
    await reestimateSuffixBatchNorm(split, sets.train, env.signal);
  const model = split ? buildPhase2Model(split, head, cfg.phase2!.batchNorm) : head.top;
  const cbs = callbacks(phase, fc, ctx, sets.val !== null);
  const warmupMs = await warmUpShaders(model, sets.train, fc.batchSize, ctx.clock);
  const t1 = ctx.clock.now();
  const par = split ? await openShards(model, data.classes.length, env.backend) : null;
  const summary = await fit({
    phase,
    model,
    head,
    classes: data.classes.length,
    train: sets.train,
    val: sets.val,
    config: fc,
    seed: cfg.seed,
    callbacks: cbs.list,
    clock: env.clock,
    signal: env.signal,
    resume,
    shards: par?.shards,
  }).finally(() => par?.shards?.close());
  const bestEpoch = cbs.stopper?.bestEpoch ?? null;
  const parity = await trainParity(
    model,
    sets,
    summary.epochs,
    fc.earlyStopping?.restoreBest ? bestEpoch : null,
    data.classes.length,
  );
  const record: PhaseRecord = {
    phase,
    stop: summary.stopReason,
    epochs: summary.epochs.length,
    bestEpoch,
    featureMs,
    fitMs: ctx.clock.now() - t1,
    ...(warmupMs !== null ? { warmupMs } : {}),
    ...parity,
    ...(par ? { shards: par.info } : {}),
  };
  return { record, model, sets };
}

/**
 * The training split in inference mode against the accuracy training reported for the
 * weights the phase ends with (the best epoch's when restored): far apart, BatchNorm or
 * dropout behave differently at inference (the training doctor's parity rule).
 */
async function trainParity(
  model: tf.LayersModel,
  sets: Sets,
  epochs: EpochMetrics[],
  restored: number | null,
  classes: number,
): Promise<{ trainAccReported?: number; trainAccInference?: number }> {
  const kept = restored === null ? epochs.at(-1) : epochs.find((e) => e.epoch === restored);
  if (!kept) return {};
  const train = sets.train;
  const ev = await evaluate(model, train, classes);
  const right = train.labels.reduce((n, label, i) => n + (ev.predicted[i] === label ? 1 : 0), 0);
  return { trainAccReported: kept.trainAcc, trainAccInference: right / Math.max(1, train.labels.length) };
}

async function startingState(env: RunEnv): Promise<RunState | null> {
  if (!env.resume) return null;
  const dir = resumeDir(env.dirs);
  const state = hasRunState(dir) ? await readRunState(dir) : null;
  env.emit({ type: 'resumed', phase: state?.fit.phase ?? 1, epoch: state?.fit.nextEpoch ?? 0 });
  return state;
}

async function setUp(cfg: RunConfig, data: RunData, env: RunEnv, state: RunState | null): Promise<Ctx> {
  if (cfg.labelType !== 'single') {
    throw new Error(
      'config.labelType: only "single" (softmax + categorical cross-entropy) is implemented in the engine so far; multi-label needs sigmoid + binary cross-entropy',
    );
  }
  const clock = env.clock ?? systemClock;
  const t0 = clock.now();
  const backbone = await loadBackbone(findBackbone(cfg.backboneId), {
    inputSize: cfg.inputSize,
    downloadCacheDir: env.dirs.modelCache,
    modelCacheDir: env.dirs.modelCache,
  });
  const head = buildHead(cfg.head, backbone.featureShape, data.classes.length, cfg.labelType, { seed: cfg.seed });
  return {
    cfg,
    data,
    env,
    backbone,
    head,
    completed: state ? [...state.completed] : [],
    inference: {},
    store: {},
    clock,
    t0,
    priorMs: state?.elapsedMs ?? 0,
    inputCheck: await checkInput(backbone, data.train),
  };
}

export async function runTraining(cfg: RunConfig, data: RunData, env: RunEnv): Promise<RunResult> {
  const state = await startingState(env);
  const ctx = await setUp(cfg, data, env, state);
  let last: PhaseOut | null = null;
  if (!state || state.fit.phase === 1) {
    last = await trainPhase(1, ctx, state?.fit);
    ctx.completed.push(last.record);
  }
  if (cfg.phase2 && !ctx.completed.some((p) => p.stop.kind === 'cancelled')) {
    last = await trainPhase(2, ctx, state?.fit.phase === 2 ? state.fit : undefined);
    ctx.completed.push(last.record);
  }
  return finish(ctx, last!);
}

function timingOf(phases: PhaseRecord[], evalMs: number): RunTiming {
  const fitMs = (phase: 1 | 2) => phases.filter((p) => p.phase === phase).reduce((n, p) => n + p.fitMs, 0);
  const warmed = phases.filter((p) => p.warmupMs !== undefined);
  const warmup = warmed.length > 0 ? { warmupMs: warmed.reduce((n, p) => n + p.warmupMs!, 0) } : {};
  return {
    cacheMs: phases.reduce((n, p) => n + p.featureMs, 0),
    phase1Ms: fitMs(1),
    phase2Ms: fitMs(2),
    evalMs,
    ...warmup,
  };
}

async function finish(ctx: Ctx, last: PhaseOut): Promise<RunResult> {
  const { cfg, data, env, backbone } = ctx;
  const cancelled = ctx.completed.some((p) => p.stop.kind === 'cancelled');
  const checkpoint = join(env.dirs.run, 'final');
  const te = ctx.clock.now();
  if (!cancelled) env.emit({ type: 'evaluating' });
  const outcome = cancelled ? null : await testOutcome(last.model, last.sets.test, data.test, data.classes.length);
  // A k-fold run's validation fold is held out: its predictions are out-of-fold, what label-error ranking needs.
  const valOutcome = cancelled ? null : await testOutcome(last.model, last.sets.val, data.val, data.classes.length);
  const latency = cancelled ? undefined : await measureLatency(backbone, ctx.head, ctx.clock);
  if (!cancelled) {
    await saveSnapshot(checkpoint, await snapshotOf(last.model), {
      backboneId: cfg.backboneId,
      backboneHash: backbone.hash,
      classes: data.classes,
    });
    if (valOutcome) env.emit({ type: 'predictions', split: 'val', rows: valOutcome.predictions });
    if (outcome) env.emit({ type: 'predictions', split: 'test', rows: outcome.predictions });
    // The run is whole: its resume checkpoint (optimizer slots included) is no longer needed.
    await rm(resumeDir(env.dirs), { recursive: true, force: true });
  }
  return {
    backend: env.backend,
    backboneHash: backbone.hash,
    inference: ctx.inference,
    featureStore: ctx.store,
    featureShape: backbone.featureShape,
    phases: ctx.completed,
    test: outcome?.report ?? null,
    checkpoint,
    wallMs: ctx.priorMs + ctx.clock.now() - ctx.t0,
    timing: timingOf(ctx.completed, ctx.clock.now() - te),
    latency,
    backboneParams: backbone.features.countParams(),
    inputCheck: ctx.inputCheck ?? undefined,
  };
}
