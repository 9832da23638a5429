// Before a run trains on WebGPU, a small batch goes forward and backward through the
// layer kinds our backbones use (convolution, depthwise convolution, ReLU6, pooling, dense,
// log-softmax, an addN past the default buffer limit) on both WebGPU and the cpu backend.
// A driver that computes wrong numbers is refused here, as ORT's probe refuses a provider.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../src-shared/random';

const TOLERANCE = 1e-3;

interface ProbeData {
  x: Float32Array;
  k1: Float32Array;
  dw: Float32Array;
  w: Float32Array;
}

function data(): ProbeData {
  const next = seededRandom(20261207);
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale);
  return { x: fill(4 * 12 * 12 * 3, 1), k1: fill(3 * 3 * 3 * 8, 0.4), dw: fill(3 * 3 * 8, 0.4), w: fill(8 * 5, 0.5) };
}

/** The loss and its gradients with respect to every weight, read back as plain arrays. */
async function lossAndGrads(d: ProbeData): Promise<Float32Array[]> {
  const out = tf.tidy(() => {
    const x = tf.tensor4d(d.x, [4, 12, 12, 3]);
    const params = [tf.tensor4d(d.k1, [3, 3, 3, 8]), tf.tensor4d(d.dw, [3, 3, 8, 1]), tf.tensor2d(d.w, [8, 5])];
    const f = (k1: tf.Tensor, dw: tf.Tensor, w: tf.Tensor) => {
      const a = tf.clipByValue(tf.conv2d(x, k1 as tf.Tensor4D, 2, 'same'), 0, 6);
      const b = tf.relu(tf.depthwiseConv2d(a, dw as tf.Tensor4D, 1, 'same'));
      const sum = tf.addN(Array.from({ length: 12 }, (_, i) => tf.mul(b, (i + 1) / 12)));
      const logits = tf.matMul(tf.mean(sum, [1, 2]), w as tf.Tensor2D);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot([0, 1, 2, 3], 5), tf.logSoftmax(logits)), -1)));
    };
    const { value, grads } = tf.valueAndGrads(f)(params);
    return [value, ...grads];
  });
  const values = await Promise.all(out.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(out);
  return values;
}

function relDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/**
 * Runs the probe on the active backend and on cpu, and restores the active one. Returns the
 * largest relative difference; throws, naming what disagreed, above the tolerance.
 */
export async function webGpuParity(): Promise<number> {
  const active = tf.getBackend();
  const d = data();
  const gpu = await lossAndGrads(d);
  await tf.setBackend('cpu');
  let cpu: Float32Array[];
  try {
    cpu = await lossAndGrads(d);
  } finally {
    await tf.setBackend(active);
  }
  const names = ['loss', 'convolution gradient', 'depthwise gradient', 'dense gradient'];
  let worst = 0;
  gpu.forEach((g, i) => {
    const r = relDiff(g, cpu[i]!);
    if (!(r <= TOLERANCE))
      throw new Error(
        `parity probe: the ${names[i]} on ${active} differs from the cpu backend's by ${r.toExponential(2)} (relative), above ${TOLERANCE}`,
      );
    worst = Math.max(worst, r);
  });
  return worst;
}
