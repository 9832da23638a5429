// The threaded SIMD build in Node: it starts with the threads asked for, computes what the
// plain build computes, and does not keep the process alive (this file's process must exit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, wasmThreadsWanted } from '../../../../src-node-shared/backend';
import { lcgValues, maxAbsDiff } from '../../training/fixtures';

/** A convolution, a depthwise convolution and a matMul with their gradients: what XNNPACK threads. */
function workload(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(lcgValues(4 * 7 * 7 * 64, 1), [4, 7, 7, 64]);
    const w = tf.tensor4d(lcgValues(64 * 96, 2), [1, 1, 64, 96]);
    const d = tf.tensor4d(lcgValues(9 * 96, 3), [3, 3, 96, 1]);
    const m = tf.tensor2d(lcgValues(96 * 10, 4), [96, 10]);
    const f = (xi: tf.Tensor, wi: tf.Tensor, di: tf.Tensor) => {
      const y = tf.relu6(
        tf.depthwiseConv2d(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'same'), di as tf.Tensor4D, 1, 'same'),
      );
      return tf.sum(tf.matMul(tf.mean(y, [1, 2]), m));
    };
    const { value, grads } = tf.valueAndGrads(f)([x, w, d]);
    return [value.dataSync() as Float32Array, ...grads.map((g) => g.dataSync() as Float32Array)];
  });
}

test('STUDIO_WASM_THREADS is read, and a bad value names the variable', () => {
  const saved = process.env.STUDIO_WASM_THREADS;
  try {
    process.env.STUDIO_WASM_THREADS = '3';
    assert.equal(wasmThreadsWanted(), 3);
    process.env.STUDIO_WASM_THREADS = 'two';
    assert.throws(() => wasmThreadsWanted(), /STUDIO_WASM_THREADS must be a whole number/);
    delete process.env.STUDIO_WASM_THREADS;
    assert.equal(wasmThreadsWanted(), 1);
  } finally {
    if (saved === undefined) delete process.env.STUDIO_WASM_THREADS;
    else process.env.STUDIO_WASM_THREADS = saved;
  }
});

test('the threaded wasm build starts 2 threads in Node and matches the cpu backend', async () => {
  await selectBackend({ prefer: 'cpu' });
  const want = workload();
  const choice = await selectBackend({ prefer: 'wasm', wasmThreads: 2 });
  assert.equal(choice.name, 'wasm');
  assert.equal(choice.versions.wasmThreads, '2', choice.versions.wasmThreadsNote);
  const got = workload();
  got.forEach((g, i) => {
    const scale = Math.max(1, ...Array.from(want[i]!, Math.abs));
    assert.ok(maxAbsDiff(g, want[i]!) <= 1e-4 * scale, `output ${i} differs by ${maxAbsDiff(g, want[i]!)}`);
  });
});
