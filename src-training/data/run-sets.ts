// The data of each phase as the trainer wants it: features (phase 1) or split-point
// activations (phase 2) for every split, from the cache or the backbone. And the test
// split's report and per-image predictions with the weights a run ends with.
import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../src-shared/engine-config';
import type { Pooling } from '../../src-shared/head-spec';
import type { Split } from '../../src-shared/schemas';
import { accuracy, confusionMatrix, macroF1, perClassMetrics } from '../../src-shared/engine-metrics';
import type { FromEngine, Prediction, RunData, RunDirs, RunImage, TestReport } from '../../src-shared/engine-protocol';
import type { Backbone } from '../backbones/load';
import type { SplitBackbone } from '../backbones/split';
import { BlockRows, batchTensor, range, rowLength } from './batches';
import type { EvalSet, LabeledRows, Rows, TrainSet } from './batches';
import { BuildProgress } from './build-progress';
import { computeFeatures, pool, viewsFor } from './features';
import type { Extractor, FeatureProgress } from './features';
import { evaluate } from '../trainer';
import { yieldOrStop } from '../../src-node-shared/yield';

export interface Sets {
  train: TrainSet;
  val: EvalSet | null;
  test: EvalSet | null;
  /** What the sets' values take, and whether memory holds them or the cache is read per batch. */
  store: FeatureStore;
}

export interface FeatureStore {
  bytes: number;
  held: boolean;
}

export interface SetsEnv {
  dirs: RunDirs;
  emit: (e: FromEngine) => void;
  signal?: AbortSignal;
  clock?: { now(): number };
  /** Most bytes of values a run holds in memory; larger sets are read from the cache per batch. */
  holdBytes?: number;
}

/**
 * How many bytes of cached values a run may hold: `STUDIO_FEATURE_MEMORY_MB`, or a quarter
 * of the machine's memory up to 4 GiB. Phase 1's pooled features for 200,000 images
 * (about 1 GB) stay in memory; phase 2's split activations at 224 px (about 12.5 GB) do not.
 */
export function featureMemoryBudget(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.STUDIO_FEATURE_MEMORY_MB);
  if (env.STUDIO_FEATURE_MEMORY_MB !== undefined && Number.isFinite(mb) && mb >= 0) return mb * 2 ** 20;
  return Math.min(totalmem() / 4, 4 * 2 ** 30);
}

/** A phase's features events over every split of `sizes`, with the moving rate and time left (throttled). */
export function featuresEvents(
  phase: 1 | 2,
  sizes: Record<Split, number>,
  env: Pick<SetsEnv, 'emit' | 'clock'>,
): (p: FeatureProgress) => void {
  const progress = new BuildProgress(sizes, () => (env.clock ?? performance).now());
  return (p) => {
    const rate = progress.update(p);
    if (rate) env.emit({ type: 'features', phase, ...p, ...rate });
  };
}

export async function featureSets(
  phase: 1 | 2,
  ex: Extractor,
  backbone: Backbone,
  cfg: RunConfig,
  data: RunData,
  env: SetsEnv,
): Promise<Sets> {
  // The feature cache takes the run's augmentation as the config holds it (views included).
  const aug = cfg.augment ?? undefined;
  const sizes = {
    train: data.train.length * viewsFor('train', aug).length,
    val: data.val.length,
    test: data.test.length,
  };
  const bytes = (sizes.train + sizes.val + sizes.test) * rowLength(ex.shape) * 4;
  const held = bytes <= (env.holdBytes ?? featureMemoryBudget());
  const onProgress = featuresEvents(phase, sizes, env);
  const one = async (split: 'train' | 'val' | 'test', images: RunImage[]): Promise<LabeledRows> => {
    const set = await computeFeatures({
      items: images.map((i) => ({ hash: i.hash, source: i.path })),
      split,
      backbone,
      extractor: ex,
      cacheDir: env.dirs.featureCache,
      augment: split === 'train' ? aug : undefined,
      seed: cfg.seed,
      signal: env.signal,
      hold: held,
      onProgress,
    });
    return { rows: set.rows, labels: images.map((i) => i.label) };
  };
  const train = await one('train', data.train);
  const evalOf = async (split: 'val' | 'test', images: RunImage[]): Promise<EvalSet | null> =>
    images.length === 0 ? null : one(split, images);
  return { train, val: await evalOf('val', data.val), test: await evalOf('test', data.test), store: { bytes, held } };
}

/**
 * Rows of split activations -> pooled features, through the (frozen, inference-mode) suffix;
 * every view. Between batches it reports how far it got and hears a cancel: over 200,000
 * images this is minutes of work.
 */
async function suffixPooled(
  rows: Rows,
  split: SplitBackbone,
  pooling: Pooling,
  onBatch: (done: number) => void,
  signal?: AbortSignal,
  batchSize = 64,
): Promise<BlockRows> {
  const pairs = range(0, rows.size * rows.views);
  let block: Float32Array | null = null;
  let len = 0;
  onBatch(0);
  for (let at = 0; at < pairs.length; at += batchSize) {
    await yieldOrStop(signal);
    const part = pairs.slice(at, at + batchSize);
    const idx = part.map((p) => Math.floor(p / rows.views));
    const slots = part.map((p) => p % rows.views);
    const y = tf.tidy(() => pool(split.suffix.predict(batchTensor(rows, idx, slots)) as tf.Tensor, pooling));
    len = y.shape[1]!;
    block ??= new Float32Array(pairs.length * len);
    const values = (await y.data()) as Float32Array;
    y.dispose();
    block.set(values, at * len);
    onBatch(Math.min(pairs.length, at + batchSize));
  }
  return new BlockRows([len], rows.views, block ?? new Float32Array(0));
}

/**
 * Phase-1 features from phase 2's split activations: the backbone's prefix then runs once
 * per image for both phases, and only the short suffix runs again. Same values as the
 * whole backbone, since every layer of the suffix is frozen in phase 1. The pooled
 * features are small, and held. Progress goes out as phase 1's features events.
 */
export async function pooledFromSplit(
  sets: Sets,
  split: SplitBackbone,
  pooling: Pooling,
  env: Pick<SetsEnv, 'emit' | 'signal' | 'clock'>,
): Promise<Sets> {
  const count = (s: LabeledRows | null) => (s ? s.rows.size * s.rows.views : 0);
  const sizes = { train: count(sets.train), val: count(sets.val), test: count(sets.test) };
  const onProgress = featuresEvents(1, sizes, env);
  const pooled = async (name: 'train' | 'val' | 'test', s: LabeledRows): Promise<LabeledRows> => {
    const report = (done: number) => onProgress({ split: name, done, total: sizes[name], fromCache: 0 });
    return { rows: await suffixPooled(s.rows, split, pooling, report, env.signal), labels: s.labels };
  };
  const train = await pooled('train', sets.train);
  const val = sets.val && (await pooled('val', sets.val));
  const test = sets.test && (await pooled('test', sets.test));
  const bytes = (count(train) + count(val) + count(test)) * rowLength(train.rows.shape) * 4;
  return { train, val, test, store: { bytes, held: true } };
}

export interface TestOutcome {
  report: TestReport;
  predictions: Prediction[];
}

/** Inference mode on the test split; null when the run has no test images. */
export async function testOutcome(
  model: tf.LayersModel,
  test: EvalSet | null,
  images: RunImage[],
  classes: number,
): Promise<TestOutcome | null> {
  if (!test) return null;
  const ev = await evaluate(model, test, classes);
  const confusion = confusionMatrix(test.labels, ev.predicted, classes);
  const perClass = perClassMetrics(confusion);
  const predictions = images.map((img, i) => ({
    hash: img.hash,
    label: test.labels[i]!,
    predicted: ev.predicted[i]!,
    loss: ev.losses[i]!,
    probs: Array.from(ev.probs.subarray(i * classes, (i + 1) * classes)),
  }));
  return {
    report: { loss: ev.loss, accuracy: accuracy(confusion), macroF1: macroF1(perClass), perClass, confusion },
    predictions,
  };
}
