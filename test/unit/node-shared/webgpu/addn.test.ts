import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { assertWebGpuHealthy } from '../../../../src-node-shared/webgpu/device';
import { closeWebGpu, maxAbsDiff, onCpu, openWebGpuForTest } from './gpu';

let skip: string | false = 'not opened';
before(async () => {
  ({ skip } = await openWebGpuForTest());
});
after(closeWebGpu);

function inputs(n: number): tf.Tensor[] {
  return Array.from({ length: n }, (_, i) =>
    tf.tensor1d(Float32Array.from({ length: 33 }, (_, k) => (i + 1) * 0.5 + k * (i % 3 === 0 ? -1 : 1))),
  );
}

for (const n of [8, 12, 16]) {
  test(`addN over ${n} inputs equals the cpu backend's sum`, async (t) => {
    if (skip) return t.skip(skip);
    const want = await onCpu(() => tf.tidy(() => tf.addN(inputs(n))));
    const got = tf.tidy(() => tf.addN(inputs(n)));
    const values = (await got.data()) as Float32Array;
    got.dispose();
    assertWebGpuHealthy();
    assert.ok(
      maxAbsDiff(values, want) < 1e-5,
      `webgpu ${Array.from(values.slice(0, 4))} vs cpu ${Array.from(want.slice(0, 4))}`,
    );
  });
}

test('the device was opened with the adapter limit on storage buffers, not the default 8', async (t) => {
  const { adapter } = await openWebGpuForTest();
  if (!adapter) return t.skip(String(skip));
  assert.ok(adapter.limits.maxStorageBuffersPerShaderStage! >= 8);
  assert.ok(Object.keys(adapter.limits).length > 20, 'every limit the adapter reports is requested');
});
