// The data-parallel step (src-training/parallel/shards.ts) against the one-thread step on
// the same phase-2 model, from the same weights: a MobileNetV2 suffix (frozen BatchNorm,
// depthwise and 1x1 convolutions, ReLU6) under a head with an L2 penalty and class weights.
// Plain SGD, so that a weight's difference is the learning rate times its gradient's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { mobilenetV2 } from '../../../../src-node-shared/backbones/arch/mobilenet-v2';
import { findBackbone } from '../../../../src-node-shared/backbones/registry';
import type { Backbone } from '../../../../src-training/backbones/load';
import { splitBackbone } from '../../../../src-training/backbones/split';
import { installFrozenBatchNormInference } from '../../../../src-training/batchnorm';
import { buildHead } from '../../../../src-training/head';
import { buildPhase2Model } from '../../../../src-training/phase2';
import { openShards } from '../../../../src-training/parallel/phase-shards';
import { Shards, shardRefusal } from '../../../../src-training/parallel/shards';
import { restoreInto, snapshotOf, trainStep } from '../../../../src-training/trainer';
import type { Stepper } from '../../../../src-training/trainer';
import { HeadSpec } from '../../../../src-shared/head-spec';
import type { BatchNormPolicy } from '../../../../src-shared/engine-config';

/** Largest relative loss difference and absolute weight difference (lr 0.05: gradients to 2e-5). */
const LOSS_TOL = 1e-5;
const WEIGHT_TOL = 1e-6;
const CLASSES = 4;

before(async () => {
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  installFrozenBatchNormInference();
});

function phase2(policy: BatchNormPolicy): { model: tf.LayersModel; head: ReturnType<typeof buildHead> } {
  const features = mobilenetV2.build({ inputSize: 64, alpha: 0.35 });
  for (const l of features.layers) l.trainable = false;
  const [, h, w, c] = features.outputs[0]!.shape as number[];
  const backbone: Backbone = {
    entry: findBackbone('mobilenet_v2'),
    inputSize: 64,
    features,
    featureShape: [h!, w!, c!],
    hash: 'test',
  };
  const split = splitBackbone(backbone, 2);
  const spec = HeadSpec.parse({ layers: [{ kind: 'dense', units: 8 }], l2: 0.01 });
  const head = buildHead(spec, backbone.featureShape, CLASSES, 'single', { seed: 2 });
  return { model: buildPhase2Model(split, head, policy), head };
}

function stepper(model: tf.LayersModel, head: Stepper['head'], shards: Shards | null): Stepper {
  return {
    model,
    head,
    classes: CLASSES,
    opt: tf.train.sgd(0.05),
    vars: model.trainableWeights.map((w) => w.read() as tf.Variable),
    weights: [1, 2, 0.5, 1],
    shards,
  };
}

async function steps(s: Stepper, x: tf.Tensor, labels: number[], n: number) {
  const out: Array<{ loss: number; pred: number[] }> = [];
  for (let i = 0; i < n; i++) {
    const r = await trainStep(s, x, labels);
    out.push({ loss: r.loss, pred: Array.from(r.pred) });
  }
  return out;
}

for (const batch of [6, 5]) {
  test(`two shards give the one-thread step's losses and weights (batch ${batch}, 3 steps)`, async () => {
    const { model, head } = phase2('frozen');
    const shape = model.inputs[0]!.shape.slice(1) as number[];
    const x = tf.randomNormal([batch, ...shape], 0, 1, 'float32', 7);
    const labels = Array.from({ length: batch }, (_, i) => i % CLASSES);
    const initial = await snapshotOf(model);
    const one = await steps(stepper(model, head, null), x, labels, 3);
    const oneWeights = await snapshotOf(model);
    restoreInto(model, initial);
    const shards = await Shards.start(model, CLASSES, 2);
    try {
      assert.equal(shards.count, 2);
      const two = await steps(stepper(model, head, shards), x, labels, 3);
      for (let i = 0; i < 3; i++) {
        const rel = Math.abs(two[i]!.loss - one[i]!.loss) / Math.abs(one[i]!.loss);
        assert.ok(rel <= LOSS_TOL, `step ${i}: loss ${two[i]!.loss} against ${one[i]!.loss}`);
        assert.deepEqual(two[i]!.pred, one[i]!.pred);
      }
      // The steps changed the weights, and the shards changed them alike.
      let moved = 0;
      let worst = 0;
      for (const [name, w] of await snapshotOf(model)) {
        const a = oneWeights.get(name)!.values;
        const b = initial.get(name)!.values;
        w.values.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - a[k]!));
          moved = Math.max(moved, Math.abs(a[k]! - b[k]!));
        });
      }
      assert.ok(moved > 1e-3, `the one-thread steps moved the weights by at most ${moved}`);
      assert.ok(worst <= WEIGHT_TOL, `weights differ by ${worst}`);
    } finally {
      await shards.close();
      x.dispose();
    }
  });
}

test('a model whose BatchNorm trains is not sharded, and the run says why', async () => {
  const { model } = phase2('train');
  assert.match(shardRefusal(model) ?? '', /BatchNorm layer .* trains on batch statistics/);
  const r = await openShards(model, CLASSES, { name: 'wasm', rejected: [], versions: { wasmThreads: '1' } });
  assert.equal(r.shards, null);
  assert.equal(r.info.count, 1);
  assert.match(r.info.note ?? '', /data-parallel step refused: BatchNorm layer/);
});

test('shards only on the one-thread wasm rung; STUDIO_TRAIN_SHARDS sets the count and is checked', async () => {
  const { model } = phase2('frozen');
  const gpu = await openShards(model, CLASSES, { name: 'webgpu', rejected: [], versions: {} });
  assert.deepEqual(gpu.info, { count: 1 });
  const threaded = await openShards(model, CLASSES, { name: 'wasm', rejected: [], versions: { wasmThreads: '2' } });
  assert.equal(threaded.info.count, 1);
  const saved = process.env.STUDIO_TRAIN_SHARDS;
  try {
    process.env.STUDIO_TRAIN_SHARDS = '1';
    assert.deepEqual((await openShards(model, CLASSES, { name: 'wasm', rejected: [], versions: {} })).info, {
      count: 1,
    });
    process.env.STUDIO_TRAIN_SHARDS = 'two';
    await assert.rejects(
      openShards(model, CLASSES, { name: 'wasm', rejected: [], versions: {} }),
      /STUDIO_TRAIN_SHARDS must be a whole number/,
    );
    process.env.STUDIO_TRAIN_SHARDS = '3';
    const three = await openShards(model, CLASSES, { name: 'wasm', rejected: [], versions: {} });
    assert.deepEqual(three.info, { count: 3 });
    await three.shards!.close();
  } finally {
    if (saved === undefined) delete process.env.STUDIO_TRAIN_SHARDS;
    else process.env.STUDIO_TRAIN_SHARDS = saved;
  }
});
