// The engine's input check on a small network whose first BatchNorm learned its moving
// statistics through caffe preprocessing, as Keras' ResNet50 did on ImageNet: fed 0..1
// pixels it lands far off and names caffe; fed caffe input it does not.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { installFrozenBatchNormInference } from '../../../../src-training/batchnorm';
import { batchNormDistance, checkPixels } from '../../../../src-training/data/input-check';
import { preprocess } from '../../../../src-node-shared/data/preprocess';
import { preprocessing } from '../../../../src-shared/training-doctor/preprocessing';
import { seededRandom } from '../../../../src-shared/random';
import { config, input } from '../../shared/training-doctor/history';

before(async () => {
  await selectBackend({ prefer: 'cpu' });
  installFrozenBatchNormInference();
});

/** Photo-like RGB 0..255: a smooth gradient per image and channel, plus grain. */
function photos(n: number, size: number, seed: number): tf.Tensor4D {
  const r = seededRandom(seed);
  const data = new Float32Array(n * size * size * 3);
  for (let i = 0; i < n; i++) {
    const base = [60 + 120 * r(), 50 + 120 * r(), 40 + 120 * r()];
    const slope = [r() - 0.5, r() - 0.5, r() - 0.5].map((s) => (s * 160) / size);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          const v = base[c]! + slope[c]! * (x + y) + 40 * (r() - 0.5);
          data[((i * size + y) * size + x) * 3 + c] = Math.max(0, Math.min(255, v));
        }
  }
  return tf.tensor4d(data, [n, size, size, 3]);
}

/** input -> conv -> BatchNorm 'bn_conv1' -> relu, its moving statistics those of caffe input on `calibration`. */
function caffeNet(calibration: tf.Tensor4D): tf.LayersModel {
  const inp = tf.input({ shape: [16, 16, 3] });
  const conv = tf.layers.conv2d({
    filters: 8,
    kernelSize: 3,
    strides: 2,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }),
    biasInitializer: 'zeros',
  });
  const bn = tf.layers.batchNormalization({ name: 'bn_conv1' });
  const out = tf.layers.reLU().apply(bn.apply(conv.apply(inp))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: inp, outputs: out });
  tf.tidy(() => {
    const y = conv.apply(preprocess(calibration, { kind: 'caffe' })) as tf.Tensor;
    const { mean, variance } = tf.moments(tf.reshape(y, [-1, 8]), 0);
    const [gamma, beta] = bn.getWeights();
    bn.setWeights([gamma!, beta!, mean, variance]);
  });
  return model;
}

test('batchNormDistance is 0 on the moving statistics themselves and grows with shift and scale', () => {
  assert.equal(batchNormDistance([1, 2], [4, 9], [1, 2], [4, 9]), 0);
  // One moving std of shift; a spread 1/e of the moving one: ln ratio of std 1.
  const d = batchNormDistance([3, 5], [4 / Math.E ** 2, 9 / Math.E ** 2], [1, 2], [4, 9]);
  assert.ok(Math.abs(d - 2) < 1e-3, String(d));
});

test('a caffe-trained first BatchNorm fed 0..1 pixels is found, and the doctor names caffe-style input', async () => {
  const net = caffeNet(photos(32, 16, 1));
  const pixels = photos(16, 16, 2);
  const wrong = await checkPixels(net, pixels, { kind: 'unit' });
  assert.equal(wrong.images, 16);
  assert.equal(wrong.used, 'unit');
  assert.ok(Math.max(...wrong.pixels.max) <= 1 && Math.min(...wrong.pixels.min) >= 0, 'recorded 0..1 pixels');
  assert.equal(wrong.probe?.layer, 'bn_conv1');
  const d = wrong.probe!.distance;
  assert.ok(d.caffe! < 1, `caffe lands near its own statistics: ${JSON.stringify(d)}`);
  assert.ok(d.unit! > 3, `0..1 lands far off: ${JSON.stringify(d)}`);

  const [f, ...rest] = preprocessing(input({ config: config({ backboneId: 'resnet50' }), inputCheck: wrong }));
  assert.equal(rest.length, 0);
  assert.equal(f?.id, 'input/preprocessing');
  assert.notEqual(f.severity, 'info');
  assert.match(
    f.title,
    /resnet50's weights expect caffe-style input \(BGR, ImageNet mean subtracted, 0\.\.255 scale\)/,
  );
  assert.match(f.title, /the run gave 0\.\.1 pixels/);
  assert.match(f.evidence.text, /values 0\.\d\d\.\.(0\.\d\d|1\.00)/);

  const right = await checkPixels(net, pixels, { kind: 'caffe' });
  assert.equal(right.used, 'caffe');
  assert.ok(Math.min(...right.pixels.min) < -50, 'caffe pixels are mean-subtracted');
  assert.deepEqual(preprocessing(input({ inputCheck: right })), []);
  tf.dispose([pixels]);
});

test('a network without BatchNorm (VGG16) records the pixels and no probe; the rule stays silent', async () => {
  const inp = tf.input({ shape: [8, 8, 3] });
  const out = tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(inp) as tf.SymbolicTensor;
  const pixels = photos(4, 8, 3);
  const c = await checkPixels(tf.model({ inputs: inp, outputs: out }), pixels, { kind: 'symmetric' });
  assert.equal(c.probe, null);
  assert.ok(c.pixels.max.every((v) => v <= 1) && c.pixels.min.every((v) => v >= -1));
  assert.deepEqual(preprocessing(input({ inputCheck: c })), []);
  pixels.dispose();
});
