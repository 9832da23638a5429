import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-node-shared/backend';
import { installFrozenBatchNormInference, reestimateBatchNorm } from '../../../src-training/batchnorm';

before(async () => {
  await selectBackend({ prefer: 'cpu' });
  installFrozenBatchNormInference();
});

function movingStats(layer: tf.layers.Layer): number[][] {
  // BatchNormalization weights: gamma, beta, moving mean, moving variance.
  return layer
    .getWeights()
    .slice(2)
    .map((w) => Array.from(w.dataSync()));
}

function model() {
  const input = tf.input({ shape: [4] });
  const frozen = tf.layers.batchNormalization({ name: 'frozen_bn' });
  const trained = tf.layers.batchNormalization({ name: 'trained_bn' });
  const dense = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) });
  const out = dense.apply(trained.apply(frozen.apply(input))) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  frozen.trainable = false;
  return { m, frozen, trained };
}

test("model.fit leaves a frozen BatchNorm's moving statistics alone", async () => {
  const { m, frozen, trained } = model();
  const before = movingStats(frozen);
  const beforeTrained = movingStats(trained);
  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  const x = tf.add(tf.mul(tf.randomNormal([16, 4], 0, 1, 'float32', 1), 3), 5);
  const y = tf.randomNormal([16, 2], 0, 1, 'float32', 2);
  await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false });
  assert.deepEqual(movingStats(frozen), before, 'frozen BN statistics changed in training');
  // The control: a trainable BN in the same model does update, so the check can fail.
  assert.notDeepEqual(movingStats(trained), beforeTrained);
  tf.dispose([x, y]);
});

test('re-estimating BatchNorm statistics is explicit and matches the data', async () => {
  const { m, frozen } = model();
  const x = tf.add(tf.mul(tf.randomNormal([64, 4], 0, 1, 'float32', 4), 2), 7);
  const halves = tf.split(x, 2);
  assert.equal(await reestimateBatchNorm(m, halves), 2);
  const [mean] = movingStats(frozen);
  const want = Array.from(tf.mean(x, 0).dataSync());
  mean!.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-4, `moving mean ${v} vs data mean ${want[i]}`));
  assert.equal(frozen.trainable, false, 'the layer stays frozen afterwards');
  tf.dispose([x, ...halves]);
});

test('a cancelled re-estimation stops before its next batch and leaves the statistics alone', async () => {
  const { m, frozen } = model();
  const momentum = (frozen as unknown as { momentum: number }).momentum;
  const before = movingStats(frozen);
  const x = tf.randomNormal([16, 4], 0, 1, 'float32', 5);
  const ctrl = new AbortController();
  ctrl.abort(new Error('cancelled by the test'));
  await assert.rejects(reestimateBatchNorm(m, [x], ctrl.signal), /cancelled by the test/);
  assert.deepEqual(movingStats(frozen), before);
  assert.equal((frozen as unknown as { momentum: number }).momentum, momentum, 'the momentum is put back');
  x.dispose();
});
