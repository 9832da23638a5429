import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { mobilenetV2 } from '../../../../src-node-shared/backbones/arch/mobilenet-v2';
import { findBackbone } from '../../../../src-node-shared/backbones/registry';
import { splitBackbone } from '../../../../src-training/backbones/split';
import { installFrozenBatchNormInference } from '../../../../src-training/batchnorm';
import { buildHead } from '../../../../src-training/head';
import { buildOptimizer, disposeOptimizer } from '../../../../src-training/optimizer';
import { buildPhase2Model } from '../../../../src-training/phase2';
import { trainStep } from '../../../../src-training/trainer';
import { installHeapKernels, uninstallHeapKernels } from '../../../../src-node-shared/wasm/heap-kernels';
import { wasmGradImpl } from '../../../../src-node-shared/wasm/wasm-grad-kernels';
import { HeadSpec } from '../../../../src-shared/head-spec';
import { lcgValues, maxAbsDiff } from '../../training/fixtures';

/** Activations straddling both ends of ReLU6, exact 0 and 6 included. */
function activations(): tf.Tensor4D {
  const v = lcgValues(2 * 5 * 5 * 8, 11).map((x) => x * 16 - 4);
  v.set([0, 6, -0, 6.000001, 5.999999], 0);
  return tf.tensor4d(v, [2, 5, 5, 8]);
}

/** Gradients of ReLU(maxValue 6) as tfjs-layers builds it (relu, then clipByValue), tf.relu6 and tf.relu. */
function maskGrads(): Float32Array[] {
  return tf.tidy(() => {
    const x = activations();
    const w = tf.reshape(tf.range(1, x.size + 1), x.shape);
    const layer = tf.layers.reLU({ maxValue: 6 });
    const fs = [
      (a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a) as tf.Tensor, w)),
      (a: tf.Tensor) => tf.sum(tf.mul(tf.relu6(a), w)),
      (a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), w)),
    ];
    return fs.map((f) => tf.grad(f)(x).dataSync() as Float32Array);
  });
}

test('on wasm, the one-loop ReLU and clip gradients equal the cpu backend exactly, at the edges too', async () => {
  await selectBackend({ prefer: 'cpu' });
  const want = maskGrads();
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  const kernels = tf.memory().numTensors;
  const got = maskGrads();
  assert.equal(tf.memory().numTensors, kernels, 'no tensor is left behind');
  got.forEach((g, i) => assert.deepEqual(Array.from(g), Array.from(want[i]!), `gradient ${i}`));
  assert.ok(tf.getKernel('StudioMaskGrad', 'wasm'), 'the heap kernel is what ran');
});

test('the heap depthwise filter gradient equals the composed one on MobileNet shapes', async () => {
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  const cases: Array<{ x: [number, number, number, number]; stride: number }> = [
    { x: [4, 7, 7, 96], stride: 1 },
    { x: [2, 14, 14, 24], stride: 2 },
  ];
  for (const c of cases) {
    tf.tidy(() => {
      const x = tf.tensor4d(
        lcgValues(
          c.x.reduce((a, b) => a * b),
          3,
        ),
        [...c.x],
      );
      const f = tf.zeros([3, 3, c.x[3], 1]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x, f, c.stride, 'same');
      const dy = tf.tensor4d(lcgValues(y.size, 4), y.shape as [number, number, number, number]);
      const heap = tf.grad((fi: tf.Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(x, fi as tf.Tensor4D, c.stride, 'same'), dy)),
      )(f);
      const composed = wasmGradImpl.depthwiseBackpropFilter(x, dy, [3, 3, c.x[3], 1], {
        strides: c.stride,
        pad: 'same',
      });
      const diff = maxAbsDiff(heap.dataSync() as Float32Array, composed.dataSync() as Float32Array);
      const scale = Math.max(...Array.from(composed.dataSync(), Math.abs));
      assert.ok(diff <= 1e-5 * scale, `stride ${c.stride}: differs by ${diff} (largest value ${scale})`);
    });
  }
});

/** Three phase-2 steps of a small MobileNetV2 (random weights, 64 px, last 2 blocks): losses and the first kernel's gradient. */
async function phase2Run(): Promise<{ losses: number[]; grad: Float32Array }> {
  installFrozenBatchNormInference();
  const features = mobilenetV2.build({ inputSize: 64, alpha: 0.35 });
  for (const l of features.layers) l.trainable = false;
  const [, h, w, c] = features.outputs[0]!.shape as number[];
  const backbone = {
    entry: findBackbone('mobilenet_v2'),
    inputSize: 64,
    features,
    featureShape: [h!, w!, c!] as [number, number, number],
    hash: 't',
  };
  // Built from code, the kernels are random: seed them the same way for both runs (BatchNorm keeps its defaults).
  for (const [i, v] of features.weights.entries()) {
    if (!v.originalName.endsWith('kernel')) continue;
    const n = v.shape.reduce((a, b) => a! * b!, 1)!;
    v.write(tf.tidy(() => tf.mul(tf.tensor(lcgValues(n, 100 + i), v.shape as number[]), 0.5)));
  }
  const split = splitBackbone(backbone, 2);
  const head = buildHead(HeadSpec.parse({}), backbone.featureShape, 3, 'single', { seed: 1 });
  const model = buildPhase2Model(split, head, 'frozen');
  const x = tf.tensor(lcgValues(4 * split.splitShape.reduce((a, b) => a * b), 7), [4, ...split.splitShape]).relu();
  const labels = [0, 1, 2, 1];
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const grad = tf.tidy(() => {
    const loss = () => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    return tf.variableGrads(loss, [vars[0]!]).grads[vars[0]!.name]!.dataSync() as Float32Array;
  });
  const opt = buildOptimizer({ kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999 });
  const s = { model, head, classes: 3, opt, vars, weights: [1, 1, 1] };
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push((await trainStep(s, x, labels)).loss);
  disposeOptimizer(opt);
  tf.dispose([x]);
  model.dispose();
  return { losses, grad };
}

test('a phase-2 step with the heap kernels gives the losses and gradients of the composed path (1e-5)', async () => {
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  uninstallHeapKernels();
  const before = await phase2Run();
  installHeapKernels();
  const after = await phase2Run();
  after.losses.forEach((l, i) =>
    assert.ok(
      Math.abs(l - before.losses[i]!) <= 1e-5 * Math.abs(before.losses[i]!),
      `step ${i}: ${l} vs ${before.losses[i]}`,
    ),
  );
  const scale = Math.max(...Array.from(before.grad, Math.abs));
  assert.ok(scale > 0, 'the gradient is not all zeros');
  assert.ok(
    maxAbsDiff(after.grad, before.grad) <= 1e-5 * scale,
    `gradient differs by ${maxAbsDiff(after.grad, before.grad)}`,
  );
});
