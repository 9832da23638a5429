// The data-parallel step (src-training/parallel/shards.ts) against the one-thread step on
// the same phase-2 model, from the same weights: a MobileNetV2 suffix (frozen BatchNorm,
// depthwise and 1x1 convolutions, ReLU6) under a head with an L2 penalty and class weights.
// Plain SGD, so that a weight's difference is the learning rate times its gradient's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { selectBackend } from '../../../../src-node-shared/backend';
import { installFrozenBatchNormInference } from '../../../../src-training/batchnorm';
import { openShards } from '../../../../src-training/parallel/phase-shards';
import { Shards, shardRefusal, workerUrl } from '../../../../src-training/parallel/shards';
import { sampleLoad, shardsForLoad, type MachineLoad } from '../../../../src-training/parallel/machine-load';
import { restoreInto, snapshotOf, trainStep } from '../../../../src-training/trainer';
import type { Stepper } from '../../../../src-training/trainer';
import type { BatchNormPolicy } from '../../../../src-shared/engine-config';
import { phase2Model } from '../../../helpers/phase2-model';

/** Largest relative loss difference and absolute weight difference (lr 0.05: gradients to 2e-5). */
const LOSS_TOL = 1e-5;
const WEIGHT_TOL = 1e-6;
const CLASSES = 4;

before(async () => {
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  installFrozenBatchNormInference();
});

function phase2(policy: BatchNormPolicy): { model: tf.LayersModel; head: Stepper['head'] } {
  return phase2Model({ alpha: 0.35, policy, classes: CLASSES });
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
      note: 'STUDIO_TRAIN_SHARDS=1',
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

const idle: MachineLoad = { cores: 2, othersBusy: 0.1 };
const busy: MachineLoad = { cores: 2, othersBusy: 1.6 };

test('unset, the shard count follows the load: 2 shards on 2 free cores, 1 with the reason once others take half a core', () => {
  assert.deepEqual(shardsForLoad({ cores: 2, othersBusy: 0 }), { count: 2 });
  assert.deepEqual(shardsForLoad({ cores: 2, othersBusy: 0.49 }), { count: 2 });
  assert.deepEqual(shardsForLoad({ cores: 2, othersBusy: 0.5 }), {
    count: 1,
    note: 'the machine was busy (other processes kept 0.5 of 2 cores busy)',
  });
  assert.deepEqual(shardsForLoad(busy), {
    count: 1,
    note: 'the machine was busy (other processes kept 1.6 of 2 cores busy)',
  });
  assert.deepEqual(shardsForLoad({ cores: 1, othersBusy: 0 }), { count: 1 }, 'one core: nothing to say');
  // Many cores: 2 shards need 1.5 of them free.
  assert.deepEqual(shardsForLoad({ cores: 16, othersBusy: 14.4 }), { count: 2 });
  assert.equal(shardsForLoad({ cores: 16, othersBusy: 14.5 }).count, 1);
  assert.deepEqual(shardsForLoad({ cores: 8, othersBusy: 2 }, 4), { count: 4 });
  assert.equal(shardsForLoad({ cores: 8, othersBusy: 5 }, 4).count, 3);
});

test('a busy machine keeps phase 2 on one thread and the run records why; a set STUDIO_TRAIN_SHARDS wins over the load', async () => {
  const { model } = phase2('frozen');
  const wasm = { name: 'wasm' as const, rejected: [], versions: {} };
  const saved = process.env.STUDIO_TRAIN_SHARDS;
  let sampled = 0;
  const load = (l: MachineLoad) => () => {
    sampled++;
    return Promise.resolve(l);
  };
  try {
    delete process.env.STUDIO_TRAIN_SHARDS;
    const one = await openShards(model, CLASSES, wasm, load(busy));
    assert.equal(one.shards, null);
    assert.deepEqual(one.info, {
      count: 1,
      note: 'the machine was busy (other processes kept 1.6 of 2 cores busy)',
    });
    const two = await openShards(model, CLASSES, wasm, load(idle));
    assert.deepEqual(two.info, { count: 2 });
    assert.equal(two.shards?.count, 2);
    await two.shards!.close();
    assert.equal(sampled, 2);
    process.env.STUDIO_TRAIN_SHARDS = '2';
    const set = await openShards(model, CLASSES, wasm, load(busy));
    assert.deepEqual(set.info, { count: 2 });
    await set.shards!.close();
    assert.equal(sampled, 2, 'a set count does not sample the load');
  } finally {
    if (saved === undefined) delete process.env.STUDIO_TRAIN_SHARDS;
    else process.env.STUDIO_TRAIN_SHARDS = saved;
  }
});

test("the load sample counts another process's busy core", async () => {
  // A child spinning through the whole sample: at least half a core of it must show, however
  // loaded the machine (a loaded machine only adds to what others use).
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 4000; while (Date.now() < end);']);
  try {
    await sleep(300);
    const load = await sampleLoad(1000);
    assert.equal(load.cores, availableParallelism());
    assert.ok(load.othersBusy >= 0.5 && load.othersBusy <= load.cores, `others kept ${load.othersBusy} cores busy`);
  } finally {
    child.kill();
  }
});

test('packaged, the worker is loaded from app.asar.unpacked, where its bundle is unpacked', () => {
  const entry = 'file:///opt/Finetune%20Studio/resources/app.asar/dist/engine/entry.mjs';
  assert.equal(
    workerUrl(entry).href,
    'file:///opt/Finetune%20Studio/resources/app.asar.unpacked/dist/engine/shard-worker.mjs',
  );
  assert.equal(workerUrl('file:///repo/dist/engine/entry.mjs').href, 'file:///repo/dist/engine/shard-worker.mjs');
  assert.match(workerUrl().href, /\/src-training\/parallel\/shard-worker\.ts$/);
});
