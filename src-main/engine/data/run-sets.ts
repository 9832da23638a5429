// The data of each phase as the trainer wants it: features (phase 1) or split-point
// activations (phase 2) for every split, from the cache or the backbone. And the test
// split's report and per-image predictions with the weights a run ends with.
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../../src-shared/engine-config';
import type { Pooling } from '../../../src-shared/head-spec';
import { accuracy, confusionMatrix, macroF1, perClassMetrics } from '../../../src-shared/engine-metrics';
import type { FromEngine, Prediction, RunData, RunDirs, RunImage, TestReport } from '../../../src-shared/engine-protocol';
import type { AugmentSpec } from './augment';
import type { Backbone } from '../backbones/load';
import type { SplitBackbone } from '../backbones/split';
import { batchTensor } from './batches';
import type { EvalSet, TrainSet } from './batches';
import { BuildProgress } from './build-progress';
import { computeFeatures, pool, viewsFor } from './features';
import type { Extractor } from './features';
import { evaluate } from '../trainer';

export interface Sets {
  train: TrainSet;
  val: EvalSet | null;
  test: EvalSet | null;
}

export interface SetsEnv {
  dirs: RunDirs;
  emit: (e: FromEngine) => void;
  signal?: AbortSignal;
  clock?: { now(): number };
}

/**
 * The run's augmentation as the feature cache takes it: `views` is a cache setting, not a
 * transform. The config was parsed at the training process's door; it is not checked again.
 */
export function augmentSettings(cfg: RunConfig): { spec: AugmentSpec; views: number; seed: number } | undefined {
  if (!cfg.augment) return undefined;
  const { views, ...spec } = cfg.augment;
  return { spec, views, seed: cfg.seed };
}

export async function featureSets(phase: 1 | 2, ex: Extractor, backbone: Backbone, cfg: RunConfig, data: RunData, env: SetsEnv): Promise<Sets> {
  const aug = augmentSettings(cfg);
  const sizes = { train: data.train.length * viewsFor('train', aug).length, val: data.val.length, test: data.test.length };
  const progress = new BuildProgress(sizes, () => (env.clock ?? performance).now());
  const one = async (split: 'train' | 'val' | 'test', images: RunImage[]) => {
    const set = await computeFeatures({
      items: images.map((i) => ({ hash: i.hash, source: i.path })),
      split,
      backbone,
      extractor: ex,
      cacheDir: env.dirs.featureCache,
      augment: split === 'train' ? aug : undefined,
      signal: env.signal,
      onProgress: (p) => {
        const rate = progress.update(p);
        if (rate) env.emit({ type: 'features', phase, ...p, ...rate });
      },
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

/** Rows of split activations -> pooled features, through the (frozen, inference-mode) suffix. */
function suffixPooled(rows: Float32Array[], shape: number[], split: SplitBackbone, pooling: Pooling, batchSize = 64): Float32Array[] {
  const out: Float32Array[] = [];
  for (let at = 0; at < rows.length; at += batchSize) {
    const y = tf.tidy(() => pool(split.suffix.predict(batchTensor(rows.slice(at, at + batchSize), shape)) as tf.Tensor, pooling));
    const data = y.dataSync() as Float32Array;
    const len = y.shape[1]!;
    y.dispose();
    for (let i = 0; i * len < data.length; i++) out.push(data.slice(i * len, (i + 1) * len));
  }
  return out;
}

/**
 * Phase-1 features from phase 2's split activations: the backbone's prefix then runs once
 * per image for both phases, and only the short suffix runs again. Same values as the
 * whole backbone, since every layer of the suffix is frozen in phase 1.
 */
export function pooledFromSplit(sets: Sets, split: SplitBackbone, pooling: Pooling): Sets {
  const views = sets.train.views;
  const flat = suffixPooled(views.flat(), sets.train.shape, split, pooling);
  let at = 0;
  const shape = [flat[0]!.length];
  const evalOf = (s: EvalSet | null): EvalSet | null => (s ? { shape, values: suffixPooled(s.values, s.shape, split, pooling), labels: s.labels } : null);
  return {
    train: { shape, views: views.map((v) => v.map(() => flat[at++]!)), labels: sets.train.labels },
    val: evalOf(sets.val),
    test: evalOf(sets.test),
  };
}

export interface TestOutcome {
  report: TestReport;
  predictions: Prediction[];
}

/** Inference mode on the test split; null when the run has no test images. */
export function testOutcome(model: tf.LayersModel, test: EvalSet | null, images: RunImage[], classes: number): TestOutcome | null {
  if (!test) return null;
  const ev = evaluate(model, test, classes);
  const confusion = confusionMatrix(test.labels, ev.predicted, classes);
  const perClass = perClassMetrics(confusion);
  const predictions = images.map((img, i) => ({
    hash: img.hash,
    label: test.labels[i]!,
    predicted: ev.predicted[i]!,
    loss: ev.losses[i]!,
    probs: Array.from(ev.probs.subarray(i * classes, (i + 1) * classes)),
  }));
  return { report: { loss: ev.loss, accuracy: accuracy(confusion), macroF1: macroF1(perClass), perClass, confusion }, predictions };
}
