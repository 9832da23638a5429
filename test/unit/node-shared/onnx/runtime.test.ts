import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { convertToOnnx } from '../../../../src-training/onnx/tfjs-to-onnx';
import { OnnxUnavailableError, loadOrt, openOnnx } from '../../../../src-node-shared/onnx/runtime';

let bytes: Uint8Array;

before(async () => {
  await selectBackend({ prefer: 'cpu' });
  const input = tf.input({ shape: [4] });
  const model = tf.model({
    inputs: input,
    outputs: tf.layers
      .dense({ units: 2, kernelInitializer: 'ones', biasInitializer: 'ones' })
      .apply(input) as tf.SymbolicTensor,
  });
  bytes = convertToOnnx(model);
  model.dispose();
});

test('a model opens from bytes or a path and runs on the CPU provider', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-onnx-')), 'm.onnx');
  writeFileSync(path, bytes);
  for (const source of [bytes, path]) {
    const m = await openOnnx(source);
    assert.equal(m.provider, 'cpu');
    assert.deepEqual([m.inputName, m.outputName], ['input', 'output']);
    // ones kernel, ones bias: each output is the row sum plus one.
    assert.deepEqual([...(await m.run(Float32Array.from([1, 2, 3, 4, -1, -1, -1, -1]), [2, 4]))], [11, 11, -3, -3]);
    await m.dispose();
  }
});

test('asking for CUDA falls back to the CPU with the reason kept, or runs on CUDA', async () => {
  const m = await openOnnx(bytes, { cuda: true, threads: 1 });
  if (m.provider === 'cpu') {
    assert.equal(m.rejected[0]?.provider, 'cuda');
    assert.ok(m.rejected[0]!.reason.length > 0);
  } else {
    assert.equal(m.provider, 'cuda');
  }
  assert.deepEqual([...(await m.run(Float32Array.from([0, 0, 0, 1]), [1, 4]))], [2, 2]);
  await m.dispose();
});

test('bad arguments and unreadable models fail with a reason', async () => {
  await assert.rejects(openOnnx(bytes, { threads: 0 }), /threads must be a positive integer/);
  await assert.rejects(
    openOnnx(Uint8Array.from([1, 2, 3])),
    (err: unknown) => err instanceof OnnxUnavailableError && /could not open the model: cpu: /.test(err.message),
  );
  const m = await openOnnx(bytes, { threads: 1 });
  await assert.rejects(m.run(new Float32Array(3), [1, 4]), /3 values do not fill shape \[1, 4\]/);
  await m.dispose();
});

test('a runtime that cannot load is a typed error saying why', () => {
  assert.throws(
    () => loadOrt('onnxruntime-node-not-installed'),
    (err: unknown) =>
      err instanceof OnnxUnavailableError &&
      /onnxruntime-node-not-installed cannot load here: Cannot find module/.test(err.message),
  );
  assert.equal(typeof loadOrt().InferenceSession.create, 'function');
});
