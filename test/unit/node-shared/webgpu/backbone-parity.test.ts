// Backbone features on the WebGPU rung equal tfjs-wasm's (the CPU path users have today)
// at a small input size: MobileNetV2 (depthwise convolutions, ReLU6, residual adds) and
// ResNet50 (caffe preprocessing, 7x7 stem, bottleneck blocks). Random Keras-initialised
// weights; the model is built on wasm and its weights move to WebGPU on first use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { mobilenetV2 } from '../../../../src-node-shared/backbones/arch/mobilenet-v2';
import { resnet50 } from '../../../../src-node-shared/backbones/arch/resnet50';
import type { KerasArch } from '../../../../src-node-shared/backbones/arch/types';
import { preprocess } from '../../../../src-node-shared/data/preprocess';
import { assertWebGpuHealthy } from '../../../../src-node-shared/webgpu/device';
import { closeWebGpu, openWebGpuForTest } from './gpu';

const TOLERANCE = 1e-4;
let skip: string | false = 'not opened';

before(async () => {
  await selectBackend({ prefer: 'wasm' });
  ({ skip } = await openWebGpuForTest());
});
after(closeWebGpu);

async function features(model: tf.LayersModel, arch: KerasArch, size: number): Promise<Float32Array> {
  const y = tf.tidy(() => {
    const pixels = tf.randomUniform([2, size, size, 3], 0, 255, 'float32', 5);
    return model.predict(preprocess(pixels, arch.preprocessing)) as tf.Tensor;
  });
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

function relative(want: Float32Array, got: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(want[i]! - got[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

for (const { arch, size } of [
  { arch: mobilenetV2, size: 64 },
  { arch: resnet50, size: 32 },
]) {
  test(`${arch.label} features at ${size} px on WebGPU equal tfjs-wasm's to ${TOLERANCE} (relative)`, async (t) => {
    if (skip) return t.skip(skip);
    await tf.setBackend('wasm');
    const model = arch.build({ inputSize: size, alpha: arch.alphas ? 1 : undefined });
    try {
      const want = await features(model, arch, size);
      await tf.setBackend('webgpu');
      const got = await features(model, arch, size);
      assertWebGpuHealthy();
      assert.equal(got.length, want.length);
      const d = relative(want, got);
      t.diagnostic(`largest difference ${d.toExponential(2)} of the largest feature`);
      assert.ok(d <= TOLERANCE, `${arch.label}: WebGPU differs from wasm by ${d.toExponential(2)} (relative)`);
    } finally {
      model.dispose();
    }
  });
}
