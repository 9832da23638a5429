import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { lcgValues, maxAbsDiff } from '../../training/fixtures';

interface Case {
  name: string;
  depthwise: boolean;
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
  dilation?: number;
}

const cases: Case[] = [
  { name: 'conv 3x3 s1 same', depthwise: false, x: [2, 6, 6, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { name: 'conv 3x3 s2 same', depthwise: false, x: [2, 7, 7, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { name: 'conv 3x3 s2 valid', depthwise: false, x: [1, 8, 8, 2], f: [3, 3, 2, 3], stride: 2, pad: 'valid' },
  { name: 'conv 1x1', depthwise: false, x: [3, 5, 5, 6], f: [1, 1, 6, 4], stride: 1, pad: 'same' },
  { name: 'dw 3x3 s1 same', depthwise: true, x: [2, 6, 6, 4], f: [3, 3, 4, 1], stride: 1, pad: 'same' },
  { name: 'dw 3x3 s2 same', depthwise: true, x: [2, 7, 7, 3], f: [3, 3, 3, 1], stride: 2, pad: 'same' },
  { name: 'dw 3x3 s2 valid mult2', depthwise: true, x: [1, 8, 8, 2], f: [3, 3, 2, 2], stride: 2, pad: 'valid' },
];

function grads(c: Case): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      lcgValues(
        c.x.reduce((a, b) => a * b),
        1,
      ),
      c.x,
    );
    const f = tf.tensor4d(
      lcgValues(
        c.f.reduce((a, b) => a * b),
        2,
      ),
      c.f,
    );
    const loss = (xi: tf.Tensor, fi: tf.Tensor) => {
      const y = c.depthwise
        ? tf.depthwiseConv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation ?? 1)
        : tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, c.stride, c.pad);
      // Weighting by position makes every output element's gradient distinct.
      return tf.sum(tf.mul(y, tf.reshape(tf.range(1, y.size + 1).div(y.size), y.shape)));
    };
    const [dx, df] = tf.grads(loss)([x, f]);
    return { dx: dx!.dataSync() as Float32Array, df: df!.dataSync() as Float32Array };
  });
}

test('wasm gradient kernels match the cpu backend to 1e-4', async () => {
  const ref = new Map<string, { dx: Float32Array; df: Float32Array }>();
  await selectBackend({ prefer: 'cpu' });
  for (const c of cases) ref.set(c.name, grads(c));
  const choice = await selectBackend({ prefer: 'wasm' });
  assert.equal(choice.name, 'wasm');
  for (const c of cases) {
    const before = tf.memory().numTensors;
    const got = grads(c);
    assert.equal(tf.memory().numTensors, before, `${c.name}: gradient kernels leaked tensors`);
    const want = ref.get(c.name)!;
    assert.ok(maxAbsDiff(got.dx, want.dx) < 1e-4, `${c.name}: dx differs by ${maxAbsDiff(got.dx, want.dx)}`);
    assert.ok(maxAbsDiff(got.df, want.df) < 1e-4, `${c.name}: dfilter differs by ${maxAbsDiff(got.df, want.df)}`);
  }
});

test('backend selection reports why the native backends were rejected', async () => {
  const choice = await selectBackend();
  assert.ok(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'].includes(choice.name));
  if (choice.name === 'wasm') {
    // WebGPU sits between the two native rungs; here it has no adapter, or only a software one it may not use.
    assert.deepEqual(
      choice.rejected.map((r) => r.name),
      ['tensorflow-gpu', 'webgpu', 'tensorflow'],
    );
    for (const r of choice.rejected) assert.ok(r.reason.length > 0);
  }
  assert.equal(tf.getBackend(), choice.tfBackend);
});
