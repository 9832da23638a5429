// Augmentation of training images only. Each (image, view) gets its own parameters from
// a seed derived from the image hash and view index, so a cached view is reproducible
// and a changed setting changes the cache key (see `augmentFingerprint`).
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { AugmentConfig } from '../../src-shared/engine-config';
import { seededRandom, seedOf } from '../../src-shared/random';

/** The transforms alone: `views` (how many are cached) is the feature cache's business. */
export const AugmentSpec = AugmentConfig.omit({ views: true });
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
  const next = seededRandom(seedOf('augment', seed, imageHash, view));
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
    const boxes = tf.tensor2d(
      params.map((p) => p.box),
      [n, 4],
    );
    const idx = tf.tensor1d(
      params.map((_, i) => i),
      'int32',
    );
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

/**
 * Part of the cache key for augmented views: a changed setting must not reuse old views. A
 * run's settings come with `views`, the count the cache keeps, which no view depends on: it
 * is left out, so more views reuse the ones already cached.
 */
export function augmentFingerprint(settings: AugmentSpec & { views?: number }, seed: number): string {
  const { views: _count, ...spec } = settings;
  return seedOf(JSON.stringify(spec), seed).toString(16);
}
