// Pooled feature statistics for the input rule: what the backbone gives on the training
// images with the preprocessing the run used, against the same images with the backbone's
// own preprocessing as the reference. The engine does not record these yet; the corpus
// computes them here, with the engine's decode and the real backbone.
import * as tf from '@tensorflow/tfjs';
import { loadBackbone } from '../../src-training/backbones/load';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import { loadImage } from '../../src-node-shared/data/images';
import { preprocess } from '../../src-node-shared/data/preprocess';
import type { Preprocessing } from '../../src-node-shared/data/preprocess';
import type { RunImage } from '../../src-shared/engine-protocol';
import type { InputStats } from '../../src-shared/training-doctor';
import type { CorpusEnv } from './corpus';
import { BACKBONE, INPUT_SIZE } from './corpus';

async function meanStd(
  model: tf.LayersModel,
  images: RunImage[],
  p: Preprocessing,
): Promise<{ mean: number; std: number }> {
  const pooled: tf.Tensor[] = [];
  for (const img of images) {
    const pixels = await loadImage(img.path, INPUT_SIZE);
    pooled.push(tf.tidy(() => tf.mean(model.predict(tf.expandDims(preprocess(pixels, p), 0)) as tf.Tensor, [1, 2])));
    pixels.dispose();
  }
  const all = tf.concat(pooled);
  const { mean, variance } = tf.moments(all);
  const out = { mean: (await mean.data())[0]!, std: Math.sqrt((await variance.data())[0]!) };
  tf.dispose([...pooled, all, mean, variance]);
  return out;
}

export async function featureStats(
  images: RunImage[],
  used: Preprocessing,
  own: Preprocessing,
  env: CorpusEnv,
): Promise<Partial<InputStats>> {
  const entry = findBackbone(BACKBONE);
  const backbone = await loadBackbone(entry, {
    inputSize: INPUT_SIZE,
    modelCacheDir: env.modelCache,
    downloadCacheDir: env.modelCache,
  });
  try {
    const sample = images.slice(0, 64);
    const seen = await meanStd(backbone.features, sample, used);
    const reference = await meanStd(backbone.features, sample, own);
    return { featureMean: seen.mean, featureStd: seen.std, referenceMean: reference.mean, referenceStd: reference.std };
  } finally {
    backbone.features.dispose();
  }
}
