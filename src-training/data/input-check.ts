// The input check at the start of a run: what the backbone sees on the first training
// images, recorded with the run (RunResult.inputCheck) for the doctor's preprocessing rule.
// The weights carry their own evidence of the preprocessing they were trained with: the
// first BatchNorm layer's moving mean and variance, learned on ImageNet through that
// preprocessing. Its input on these images is compared with them under every kind; a
// backbone fed the wrong range (a caffe ResNet given 0..1 pixels) lands far off, and the
// kind that lands nearest names what the weights expect. One conv layer on 16 images per
// kind: a fraction of a second beside the cache build.
import * as tf from '@tensorflow/tfjs';
import type { InputCheck, PixelStats, PreprocessingKind } from '../../src-shared/input-check';
import type { RunImage } from '../../src-shared/engine-protocol';
import type { Backbone } from '../backbones/load';
import { isBatchNorm } from '../batchnorm';
import { loadImage } from '../../src-node-shared/data/images';
import { preprocess } from '../../src-node-shared/data/preprocess';
import type { Preprocessing } from '../../src-node-shared/data/preprocess';

export const CHECK_IMAGES = 16;
const KINDS: PreprocessingKind[] = ['unit', 'symmetric', 'caffe', 'torch', 'raw'];
const EPS = 1e-3;

const triple = (a: ArrayLike<number>): [number, number, number] => [a[0]!, a[1]!, a[2]!];

/** Reads tensors back asynchronously (WebGPU in Node has no synchronous readback) and frees them. */
async function readAll(ts: tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return (await Promise.all(ts.map((t) => t.data()))) as Float32Array[];
  } finally {
    tf.dispose(ts);
  }
}

async function pixelStats(x: tf.Tensor4D): Promise<PixelStats> {
  const [mean, std, min, max] = await readAll(
    tf.tidy(() => {
      const flat = tf.reshape(x, [-1, 3]);
      const m = tf.moments(flat, 0);
      return [m.mean, tf.sqrt(m.variance), tf.min(flat, 0), tf.max(flat, 0)];
    }),
  );
  return { mean: triple(mean!), std: triple(std!), min: triple(min!), max: triple(max!) };
}

/** The first BatchNorm layer fed by the network's input, and a model up to its input. */
async function firstBatchNorm(
  features: tf.LayersModel,
): Promise<{ layer: tf.layers.Layer; upTo: tf.LayersModel; mean: Float32Array; variance: Float32Array } | null> {
  const layer = features.layers.find(isBatchNorm);
  if (!layer) return null;
  const weight = (suffix: string) => layer.weights.find((w) => w.originalName.endsWith(suffix));
  const mean = weight('moving_mean');
  const variance = weight('moving_variance');
  if (!mean || !variance) return null;
  const upTo = tf.model({ inputs: features.inputs, outputs: layer.input as tf.SymbolicTensor });
  return {
    layer,
    upTo,
    mean: (await mean.read().data()) as Float32Array,
    variance: (await variance.read().data()) as Float32Array,
  };
}

/** Median over channels of |shift| / moving std + |ln(std / moving std)|. */
export function batchNormDistance(
  batchMean: ArrayLike<number>,
  batchVar: ArrayLike<number>,
  movingMean: ArrayLike<number>,
  movingVar: ArrayLike<number>,
): number {
  const d: number[] = [];
  for (let c = 0; c < movingMean.length; c++) {
    const sd = Math.sqrt(movingVar[c]! + EPS);
    const shift = Math.abs(batchMean[c]! - movingMean[c]!) / sd;
    const scale = Math.abs(0.5 * Math.log((batchVar[c]! + EPS) / (movingVar[c]! + EPS)));
    d.push(shift + scale);
  }
  d.sort((a, b) => a - b);
  const mid = d.length >> 1;
  return d.length % 2 ? d[mid]! : (d[mid - 1]! + d[mid]!) / 2;
}

/** RGB 0..255 pixels [n, s, s, 3] against the backbone's network; `used` is the preprocessing the run gives it. */
export async function checkPixels(
  features: tf.LayersModel,
  pixels: tf.Tensor4D,
  used: Preprocessing,
): Promise<InputCheck> {
  const seen = preprocess(pixels, used) as tf.Tensor4D;
  const stats = await pixelStats(seen).finally(() => seen.dispose());
  const bn = await firstBatchNorm(features);
  let probe: InputCheck['probe'] = null;
  if (bn) {
    const distance: Partial<Record<PreprocessingKind, number>> = {};
    for (const kind of KINDS) {
      const [mean, variance] = await readAll(
        tf.tidy(() => {
          const out = bn.upTo.predict(preprocess(pixels, { kind })) as tf.Tensor;
          const channels = out.shape.at(-1)!;
          const m = tf.moments(tf.reshape(out, [-1, channels]), 0);
          return [m.mean, m.variance];
        }),
      );
      distance[kind] = batchNormDistance(mean!, variance!, bn.mean, bn.variance);
    }
    probe = { layer: bn.layer.name, distance };
  }
  return { images: pixels.shape[0], used: used.kind, pixels: stats, probe };
}

/**
 * The check on the first training images. Null when it cannot run (an image that does not
 * decode is reported by the cache build, with its file): a diagnostic never fails a run.
 */
export async function checkInput(backbone: Backbone, train: RunImage[]): Promise<InputCheck | null> {
  const images: tf.Tensor3D[] = [];
  try {
    for (const img of train.slice(0, CHECK_IMAGES)) images.push(await loadImage(img.path, backbone.inputSize));
    if (images.length === 0) return null;
    const pixels = tf.stack(images) as tf.Tensor4D;
    try {
      return await checkPixels(backbone.features, pixels, backbone.entry.preprocessing);
    } finally {
      pixels.dispose();
    }
  } catch {
    return null;
  } finally {
    tf.dispose(images);
  }
}
