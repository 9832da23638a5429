import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fmaPeak, modelMacs } from '../../../bench/macs';
import { selectBackend } from '../../../src-node-shared/backend';
import { mobilenetV2 } from '../../../src-node-shared/backbones/arch/mobilenet-v2';

before(async () => {
  await selectBackend({ prefer: 'cpu' });
});

test('MACs of each layer kind, counted by hand', () => {
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor; // 8*8*4 * 9*3 = 6912
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same' }).apply(conv) as tf.SymbolicTensor; // 4*4*4 * 9 = 576
  const sep = tf.layers.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same' }).apply(dw) as tf.SymbolicTensor; // 4*4*4*9 + 4*4*4*5 = 896
  const pooled = tf.layers.globalAveragePooling2d({}).apply(sep) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor; // 5*2 = 10
  const model = tf.model({ inputs: input, outputs: dense });
  assert.equal(modelMacs(model), 6912 + 576 + 896 + 10);
  model.dispose();
});

test('MobileNetV2 1.0 at 224 px costs the 300 million multiply-adds of its paper', () => {
  const model = mobilenetV2.build({ inputSize: 224, alpha: 1.0 });
  const macs = modelMacs(model);
  // Sandler et al. 2018, table 3: 300M (no top here: the 1280x1000 classifier is not counted).
  assert.ok(Math.abs(macs - 300e6) / 300e6 < 0.02, `${(macs / 1e6).toFixed(1)} M`);
  model.dispose();
});

test('the FMA peak follows the CPU flags, clock and cores', () => {
  const info = (flags: string) => `model name\t: Test CPU\nflags\t\t: fpu sse2 ${flags}\ncpu MHz\t\t: 2000.000\n`;
  assert.equal(fmaPeak(info('avx avx2 fma avx512f'), 4).macsPerSecond, 16 * 2 * 2e9 * 4);
  assert.equal(fmaPeak(info('avx avx2 fma'), 2).macsPerSecond, 8 * 2 * 2e9 * 2);
  assert.equal(fmaPeak(info('avx'), 1).lanes, 4);
  assert.match(fmaPeak(info('avx2 fma'), 2).assumptions, /AVX2\+FMA -> 8 float32 lanes x 2 FMA units x 2000 MHz/);
});
