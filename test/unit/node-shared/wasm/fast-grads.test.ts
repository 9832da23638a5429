import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { lcgValues, maxAbsDiff } from '../../training/fixtures';

// Its own file: selecting wasm installs the faster gradient process-wide, so the
// reference must be computed on cpu before any wasm selection in this process.

// The replaced BatchNorm gradient, against tfjs' own, for all five inputs.
function bnGrads(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(lcgValues(2 * 3 * 3 * 4, 3), [2, 3, 3, 4]);
    const ins = [
      x,
      tf.tensor1d(lcgValues(4, 4)),
      tf.add(tf.tensor1d(lcgValues(4, 5)), 1),
      tf.tensor1d(lcgValues(4, 6)),
      tf.tensor1d(lcgValues(4, 7)),
    ];
    const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(a as tf.Tensor4D, m, v, o, s, 1e-3), tf.reshape(tf.range(0, a.size), a.shape)));
    return tf
      .grads(f)(ins)
      .map((g) => g.dataSync() as Float32Array);
  });
}

test("the faster BatchNorm gradient matches tfjs' original", async () => {
  const { installFastGradients } = await import('../../../../src-node-shared/wasm/fast-grads');
  await selectBackend({ prefer: 'cpu' });
  const want = bnGrads();
  installFastGradients();
  for (const backend of ['cpu', 'wasm'] as const) {
    await selectBackend({ prefer: backend });
    const got = bnGrads();
    got.forEach((g, i) =>
      assert.ok(
        maxAbsDiff(g, want[i]!) < 1e-3 * Math.max(1, Math.abs(want[i]![0]!)),
        `${backend}: input ${i} differs by ${maxAbsDiff(g, want[i]!)}`,
      ),
    );
  }
});
