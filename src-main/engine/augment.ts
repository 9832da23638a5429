// Augmentation of training images only. Each (image, view) gets its own parameters from
// a seed derived from the image hash and view index, so a cached view is reproducible
// and a changed setting changes the cache key (see `augmentFingerprint`).
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { rng, seedOf } from './random';

export const AugmentSpec = z
  .object({
    flip: z.boolean().default(true),
    /** Largest rotation either way, in degrees. */
    rotationDeg: z.number().min(0).max(180).default(15),
    /** Largest fraction cropped away before resizing back (zoom in). */
    zoom: z.number().min(0).max(0.5).default(0.15),
    /** Largest brightness shift, as a fraction of the full range. */
    brightness: z.number().min(0).max(1).default(0.1),
    /** Largest contrast change, as a fraction (0.2 -> factor in [0.8, 1.2]). */
    contrast: z.number().min(0).max(1).default(0.1),
  })
  .strict();
export type AugmentSpec = z.infer<typeof AugmentSpec>;

export interface ViewParams {
  flip: boolean;
  radians: number;
  /** Crop box [y1, x1, y2, x2] in unit coordinates. */
  box: [number, number, number, number];
  brightness: number;
  contrast: number;
}

const IDENTITY: ViewParams = { flip: false, radians: 0, box: [0, 0, 1, 1], brightness: 0, contrast: 1 };

/** View 0 is the image as it is, whatever the settings. */
export function viewParams(spec: AugmentSpec, imageHash: string, view: number, seed: number): ViewParams {
  if (view === 0) return IDENTITY;
  const next = rng(seedOf('augment', seed, imageHash, view));
  const sym = () => 2 * next() - 1;
  const scale = 1 - next() * spec.zoom;
  const y1 = next() * (1 - scale);
  const x1 = next() * (1 - scale);
  return {
    flip: spec.flip && next() < 0.5,
    radians: (sym() * spec.rotationDeg * Math.PI) / 180,
    box: [y1, x1, y1 + scale, x1 + scale],
    brightness: sym() * spec.brightness * 255,
    contrast: 1 + sym() * spec.contrast,
  };
}

/** `images` are RGB 0..255 float [n, h, w, 3]; one parameter set per image. */
export function augmentBatch(images: tf.Tensor4D, params: ViewParams[]): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = images.shape;
    const boxes = tf.tensor2d(params.map((p) => p.box), [n, 4]);
    const idx = tf.tensor1d(params.map((_, i) => i), 'int32');
    let x = tf.image.cropAndResize(images, boxes, idx, [h, w]);
    const per = tf.unstack(x).map((img, i) => {
      const p = params[i]!;
      let one = tf.expandDims(img, 0) as tf.Tensor4D;
      if (p.flip) one = tf.image.flipLeftRight(one);
      if (p.radians !== 0) one = tf.image.rotateWithOffset(one, p.radians, 0);
      const mean = tf.mean(one);
      return tf.add(tf.mul(tf.sub(one, mean), p.contrast), tf.add(mean, p.brightness));
    });
    x = tf.concat(per, 0) as tf.Tensor4D;
    return tf.clipByValue(x, 0, 255) as tf.Tensor4D;
  });
}

/** Part of the cache key for augmented views: a changed setting must not reuse old views. */
export function augmentFingerprint(spec: AugmentSpec, seed: number): string {
  return seedOf(JSON.stringify(spec), seed).toString(16);
}
