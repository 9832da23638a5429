// A whole training run, as the training process executes it: load the backbone, cache
// features, phase 1 on pooled features, optional phase 2 on split activations, then the
// test split with the best weights. Everything leaves as events; nothing here touches
// the project database.
import type { RunConfig } from '../../src-shared/engine-config';
import type { FitConfig } from '../../src-shared/engine-config';
import { accuracy, confusionMatrix, macroF1, perClassMetrics } from '../../src-shared/engine-metrics';
import type { BackendInfo, FromEngine, RunData, RunDirs, RunImage, RunResult, TestReport } from '../../src-shared/engine-protocol';
import { AugmentSpec } from './augment';
import { findBackbone } from './backbones/registry';
import { loadBackbone } from './backbones/load';
import type { Backbone } from './backbones/load';
import { splitBackbone } from './backbones/split';
import type { EvalSet, TrainSet } from './batches';
import { BestCheckpoint } from './callbacks/checkpoint';
import { EarlyStopping } from './callbacks/early-stopping';
import { MetricsRecorder } from './callbacks/metrics-sink';
import { Progress } from './callbacks/progress';
import type { Callback, FitSummary } from './callbacks/types';
import { computeFeatures, pooledExtractor, splitExtractor } from './features';
import type { Extractor } from './features';
import { buildHead } from './head';
import type { Head } from './head';
import { buildPhase2Model, reestimateSuffixBatchNorm } from './phase2';
import { evaluate, fit, snapshotOf } from './trainer';
import type { Clock } from './trainer';
import { saveSnapshot } from './weights-io';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';

export interface RunEnv {
  dirs: RunDirs;
  backend: BackendInfo;
  emit: (e: FromEngine) => void;
  signal?: AbortSignal;
  clock?: Clock;
}

interface Sets {
  train: TrainSet;
  val: EvalSet | null;
  test: EvalSet | null;
}

async function featureSets(phase: 1 | 2, ex: Extractor, backbone: Backbone, cfg: RunConfig, data: RunData, env: RunEnv): Promise<Sets> {
  const aug = cfg.augment ? { spec: AugmentSpec.parse(cfg.augment), views: cfg.augment.views, seed: cfg.seed } : undefined;
  const one = async (split: 'train' | 'val' | 'test', images: RunImage[]) => {
    const set = await computeFeatures({
      items: images.map((i) => ({ hash: i.hash, source: i.path })),
      split,
      backbone,
      extractor: ex,
      cacheDir: env.dirs.featureCache,
      augment: split === 'train' ? aug : undefined,
      signal: env.signal,
      onProgress: (p) => env.emit({ type: 'features', phase, ...p }),
    });
    return { set, labels: images.map((i) => i.label) };
  };
  const tr = await one('train', data.train);
  const evalOf = async (split: 'val' | 'test', images: RunImage[]): Promise<EvalSet | null> => {
    if (images.length === 0) return null;
    const { set, labels } = await one(split, images);
    return { shape: set.shape, values: set.values.map((v) => v[0]!), labels };
  };
  return {
    train: { shape: tr.set.shape, views: tr.set.values, labels: tr.labels },
    val: await evalOf('val', data.val),
    test: await evalOf('test', data.test),
  };
}

function callbacks(phase: 1 | 2, fc: FitConfig, env: RunEnv, hasVal: boolean): { list: Callback[]; stopper: EarlyStopping | null; ckpt: BestCheckpoint } {
  const stopper = fc.earlyStopping ? new EarlyStopping(fc.earlyStopping) : null;
  const ckpt = new BestCheckpoint(fc.earlyStopping?.monitor ?? (hasVal ? 'valLoss' : 'trainLoss'), (w, m) =>
    saveSnapshot(join(env.dirs.run, `phase${phase}-best`), w, { epoch: m.epoch }),
  );
  const list: Callback[] = [
    new MetricsRecorder({ writeEpoch: (m) => env.emit({ type: 'epoch', metrics: m }) }),
    new Progress((b) => env.emit({ type: 'batch', ...b })),
    ckpt,
  ];
  if (stopper) list.push(stopper);
  return { list, stopper, ckpt };
}

function testReport(model: tf.LayersModel, test: EvalSet | null, classes: number): TestReport | null {
  if (!test) return null;
  const ev = evaluate(model, test, classes);
  const confusion = confusionMatrix(test.labels, ev.predicted, classes);
  const perClass = perClassMetrics(confusion);
  return { loss: ev.loss, accuracy: accuracy(confusion), macroF1: macroF1(perClass), perClass, confusion };
}

interface PhaseOut {
  summary: FitSummary;
  bestEpoch: number | null;
  model: tf.LayersModel;
  sets: Sets;
}

async function phase1(backbone: Backbone, head: Head, cfg: RunConfig, data: RunData, env: RunEnv): Promise<PhaseOut> {
  const sets = await featureSets(1, pooledExtractor(backbone, cfg.head.pooling), backbone, cfg, data, env);
  const cbs = callbacks(1, cfg.phase1, env, sets.val !== null);
  const summary = await fit({ phase: 1, model: head.top, head, classes: data.classes.length, train: sets.train, val: sets.val, config: cfg.phase1, seed: cfg.seed, callbacks: cbs.list, clock: env.clock, signal: env.signal });
  return { summary, bestEpoch: cbs.stopper?.bestEpoch ?? null, model: head.top, sets };
}

async function phase2(backbone: Backbone, head: Head, cfg: RunConfig, data: RunData, env: RunEnv): Promise<PhaseOut> {
  const p2 = cfg.phase2!;
  const split = splitBackbone(backbone, p2.unfreezeBlocks);
  const sets = await featureSets(2, splitExtractor(backbone, split), backbone, cfg, data, env);
  if (p2.batchNorm === 'reestimate') reestimateSuffixBatchNorm(split, sets.train);
  const model = buildPhase2Model(split, head, p2.batchNorm);
  const cbs = callbacks(2, p2, env, sets.val !== null);
  const summary = await fit({ phase: 2, model, head, classes: data.classes.length, train: sets.train, val: sets.val, config: p2, seed: cfg.seed, callbacks: cbs.list, clock: env.clock, signal: env.signal });
  return { summary, bestEpoch: cbs.stopper?.bestEpoch ?? null, model, sets };
}

export async function runTraining(cfg: RunConfig, data: RunData, env: RunEnv): Promise<RunResult> {
  const t0 = performance.now();
  if (cfg.labelType !== 'single') {
    throw new Error('config.labelType: only "single" (softmax + categorical cross-entropy) is implemented in the engine so far; multi-label needs sigmoid + binary cross-entropy');
  }
  const entry = findBackbone(cfg.backboneId);
  const backbone = await loadBackbone(entry, { inputSize: cfg.inputSize, downloadCacheDir: env.dirs.modelCache });
  const head = buildHead(cfg.head, backbone.featureShape, data.classes.length, cfg.labelType, { seed: cfg.seed });
  const outs: PhaseOut[] = [await phase1(backbone, head, cfg, data, env)];
  if (cfg.phase2 && outs[0]!.summary.stopReason.kind !== 'cancelled') outs.push(await phase2(backbone, head, cfg, data, env));
  const last = outs.at(-1)!;
  const checkpoint = join(env.dirs.run, 'final');
  await saveSnapshot(checkpoint, snapshotOf(last.model), { backboneId: entry.id, backboneHash: backbone.hash, classes: data.classes });
  return {
    backend: env.backend,
    backboneHash: backbone.hash,
    phases: outs.map((o, i) => ({ phase: (i + 1) as 1 | 2, stop: o.summary.stopReason, epochs: o.summary.epochs.length, bestEpoch: o.bestEpoch })),
    test: testReport(last.model, last.sets.test, data.classes.length),
    checkpoint,
    wallMs: performance.now() - t0,
  };
}
