// Inference latency of a trained model, as a deployed copy would run it: one image
// (batch 1) through the backbone and the head, preprocessing included, on the training
// backend. Timed at the run's end rather than derived from the feature cache's build time,
// which is batched, runs on another runtime, and is near zero when the cache was warm.
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from './backbones/load';
import type { Head } from './head';
import { preprocess } from '../src-node-shared/data/preprocess';
import type { Clock } from './trainer';

export interface Latency {
  msPerImage: number;
  repeats: number;
  backend: string;
}

async function once(backbone: Backbone, head: Head, pixels: tf.Tensor4D): Promise<void> {
  const probs = tf.tidy(() => {
    const features = backbone.features.predict(preprocess(pixels, backbone.entry.preprocessing)) as tf.Tensor4D;
    return head.full.predict(features) as tf.Tensor2D;
  });
  // Reading the values waits for the backend to finish, as a caller of predict would.
  await probs.data();
  probs.dispose();
}

/** The median of `repeats` timed passes after one untimed warm-up (kernel set-up, weight upload). */
export async function measureLatency(backbone: Backbone, head: Head, clock: Clock, repeats = 5): Promise<Latency> {
  const s = backbone.inputSize;
  const pixels = tf.tidy(() => tf.randomUniform([1, s, s, 3], 0, 255, 'float32', 7) as tf.Tensor4D);
  try {
    await once(backbone, head, pixels);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = clock.now();
      await once(backbone, head, pixels);
      times.push(clock.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { msPerImage: times[Math.floor(times.length / 2)]!, repeats, backend: tf.getBackend() };
  } finally {
    pixels.dispose();
  }
}
