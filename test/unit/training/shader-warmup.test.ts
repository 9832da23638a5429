// The shader warm-up before a phase (src-training/shader-warmup.ts): on WebGPU (lavapipe
// here: eval "$(scripts/lavapipe.sh)") it runs the training step's forward and backward
// passes once, takes time, and leaves the weights and the tensor count as they were; on
// a backend that compiles nothing it does nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-node-shared/backend';
import { buildHead } from '../../../src-training/head';
import { warmUpShaders } from '../../../src-training/shader-warmup';
import { snapshotOf } from '../../../src-training/trainer';
import { HeadSpec } from '../../../src-shared/head-spec';
import { closeWebGpu, openWebGpuForTest } from '../node-shared/webgpu/gpu';
import { trainSet } from './fixtures';

const DIM = 12;
let skip: string | false = 'not opened';

before(async () => {
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  ({ skip } = await openWebGpuForTest());
});
after(closeWebGpu);

function model(): tf.LayersModel {
  const spec = HeadSpec.parse({
    layers: [
      { kind: 'dense', units: 16 },
      { kind: 'dropout', rate: 0.2 },
    ],
  });
  return buildHead(spec, [1, 1, DIM], 3, 'single', { seed: 4 }).top;
}

test('wasm compiles nothing: no warm-up stage', async () => {
  await tf.setBackend('wasm');
  assert.equal(await warmUpShaders(model(), trainSet(20, 3, DIM, 1), 8, { now: () => performance.now() }), null);
});

test('on WebGPU the warm-up runs the step once, is timed, and changes no weight', async (t) => {
  if (skip) return t.skip(skip);
  await tf.setBackend('webgpu');
  const m = model();
  const before = await snapshotOf(m);
  const tensors = tf.memory().numTensors;
  let calls = 0;
  const clock = { now: () => (calls++ === 0 ? 1_000 : 1_250) };
  const ms = await warmUpShaders(m, trainSet(20, 3, DIM, 1), 8, clock);
  assert.equal(ms, 250, 'the warm-up is timed from before the pass to after its readback');
  assert.equal(tf.memory().numTensors, tensors, 'no tensor is left behind');
  for (const [name, w] of await snapshotOf(m)) assert.deepEqual(w.values, before.get(name)!.values, name);
});
