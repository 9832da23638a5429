// Phase 2's gradients on the WebGPU rung equal the CPU path's: the production step
// (trainer.ts's trainStep) on a MobileNetV2 1.0 suffix (its last 2 blocks: frozen BatchNorm,
// depthwise and 1x1 convolutions, ReLU6, a residual add) under a head with an L2 penalty and
// class weights, one plain SGD step from the same weights on tfjs-wasm and on WebGPU. With
// SGD a weight's change is the learning rate times its gradient, so comparing the changes
// compares every trainable weight's gradient. Random Keras-initialised weights, 64 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { assertWebGpuHealthy } from '../../../../src-node-shared/webgpu/device';
import { installFrozenBatchNormInference } from '../../../../src-training/batchnorm';
import { restoreInto, snapshotOf, trainStep, type Stepper } from '../../../../src-training/trainer';
import { phase2Model } from '../../../helpers/phase2-model';
import { closeWebGpu, openWebGpuForTest } from './gpu';

const CLASSES = 4;
const LR = 0.05;
/** Largest gradient difference, relative to the largest gradient of the same weight. */
const GRAD_TOL = 1e-3;
const LOSS_TOL = 1e-4;
let skip: string | false = 'not opened';

before(async () => {
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  installFrozenBatchNormInference();
  ({ skip } = await openWebGpuForTest());
  await tf.setBackend('wasm');
});
after(closeWebGpu);

/** One SGD step on the active backend: the loss, and each trainable weight's gradient (its change over -lr). */
async function oneStep(model: tf.LayersModel, head: Stepper['head'], x: tf.Tensor, labels: number[]) {
  const before = await snapshotOf(model);
  const s: Stepper = {
    model,
    head,
    classes: CLASSES,
    opt: tf.train.sgd(LR),
    vars: model.trainableWeights.map((w) => w.read() as tf.Variable),
    weights: [1, 2, 0.5, 1],
    shards: null,
  };
  const { loss } = await trainStep(s, x, labels);
  const grads = new Map<string, Float32Array>();
  const after = await snapshotOf(model);
  for (const name of model.trainableWeights.map((w) => w.originalName)) {
    const w = after.get(name)!;
    const was = before.get(name)!.values;
    grads.set(
      name,
      Float32Array.from(w.values, (v, k) => (was[k]! - v) / LR),
    );
  }
  restoreInto(model, before);
  return { loss, grads };
}

test('a phase-2 step on WebGPU gives the wasm step its loss and every trainable weight its gradient', async (t) => {
  if (skip) return t.skip(skip);
  const { model, head } = phase2Model({ alpha: 1, policy: 'frozen', classes: CLASSES });
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  const x = tf.randomNormal([6, ...shape], 0, 1, 'float32', 7);
  const labels = [0, 1, 2, 3, 0, 1];
  try {
    const want = await oneStep(model, head, x, labels);
    await tf.setBackend('webgpu');
    const got = await oneStep(model, head, x, labels);
    assertWebGpuHealthy();
    const lossDiff = Math.abs(got.loss - want.loss) / Math.abs(want.loss);
    assert.ok(lossDiff <= LOSS_TOL, `loss ${got.loss} on WebGPU against ${want.loss} on wasm`);
    const names = [...want.grads.keys()];
    for (const layer of ['block_16_expand', 'block_16_depthwise', 'block_16_project', 'Conv_1'])
      assert.ok(
        names.some((n) => n.startsWith(`${layer}/`)),
        `${layer} has no trainable weight (${names.join(', ')}): the suffix did not train`,
      );
    let worst = { name: '', rel: 0 };
    for (const [name, g] of want.grads) {
      const h = got.grads.get(name)!;
      let diff = 0;
      let scale = 1e-12;
      g.forEach((v, k) => {
        diff = Math.max(diff, Math.abs(v - h[k]!));
        scale = Math.max(scale, Math.abs(v));
      });
      assert.ok(scale > 1e-8, `${name}: no gradient on wasm`);
      if (diff / scale > worst.rel) worst = { name, rel: diff / scale };
    }
    t.diagnostic(
      `${want.grads.size} weights; largest gradient difference ${worst.rel.toExponential(2)} (${worst.name})`,
    );
    assert.ok(
      worst.rel <= GRAD_TOL,
      `${worst.name}: WebGPU's gradient differs by ${worst.rel.toExponential(2)} (relative)`,
    );
  } finally {
    await tf.setBackend('wasm');
    x.dispose();
    model.dispose();
  }
});
