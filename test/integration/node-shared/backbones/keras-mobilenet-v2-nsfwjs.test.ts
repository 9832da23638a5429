// Our MobileNetV2 built from code against the one Keras 2.2.4 exported and nsfwjs ships
// as a tfjs layers model: same layers and configs, every weight taken by name with the
// same shape, and the same `out_relu` features once those weights are in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { readNsfwjs } from '../../../../src-node-shared/backbones/sources';
import { mobilenetV2 } from '../../../../src-node-shared/backbones/arch/mobilenet-v2';
import { copyWeightsByName } from './copy-weights';
import type { CopyReport } from './copy-weights';

let ref: tf.LayersModel;
let ours: tf.LayersModel;
let named: tf.NamedTensorMap;
let report: CopyReport;

before(async () => {
  await selectBackend({ prefer: 'wasm', exclude: ['cpu'] });
  const { artifacts } = readNsfwjs('mobilenet_v2', { truncateAt: 'out_relu' });
  ref = await tf.loadLayersModel(tf.io.fromMemory(artifacts), { strict: false });
  named = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs!);
  ours = mobilenetV2.build({ inputSize: 224 });
  report = copyWeightsByName(ours, named);
});

after(() => {
  ref?.dispose();
  ours?.dispose();
  tf.dispose(Object.values(named ?? {}));
});

const weighted = (m: tf.LayersModel): string[] => m.layers.filter((l) => l.weights.length > 0).map((l) => l.name);

test("the layers are nsfwjs' in the same order, but for Keras 2's Conv1_pad", () => {
  assert.equal(ref.layers.length, 155);
  assert.deepEqual(
    ours.layers.map((l) => l.name),
    ref.layers.map((l) => l.name).filter((n) => n !== 'Conv1_pad'),
  );
  // Keras loads .h5 weights by this order.
  assert.deepEqual(weighted(ours), weighted(ref));
});

test('every shared layer has the same configuration (Conv1 pads itself instead of Conv1_pad)', () => {
  const skip = /^(name|trainable|dtype|batchInputShape|.*(Initializer|Regularizer|Constraint))$/;
  const strip = (c: object) => Object.fromEntries(Object.entries(c).filter(([k]) => !skip.test(k)));
  const mine = new Map(ours.layers.map((l) => [l.name, l]));
  for (const l of ref.layers) {
    if (l.name === 'Conv1_pad') continue;
    const want = strip(l.getConfig());
    if (l.name === 'Conv1') {
      assert.equal(want.padding, 'valid');
      want.padding = 'same';
    }
    assert.deepEqual(strip(mine.get(l.name)!.getConfig()), want, l.name);
  }
});

test('every weight is copied from nsfwjs by name with the same shape', () => {
  assert.deepEqual(report.missing, []);
  assert.equal(report.copied.length, ours.weights.length);
  assert.equal(report.copied.length, ref.weights.length);
  // The truncated network holds all of nsfwjs' backbone weights; only its head is left over.
  const refLayers = new Set(ref.layers.map((l) => l.name));
  for (const name of report.unused)
    assert.ok(!refLayers.has(name.split('/')[0]!), `${name} belongs to the backbone but was not used`);
  assert.equal(ours.countParams(), ref.countParams());
});

test("out_relu features agree with nsfwjs' own model within 1e-4 of their scale", (t) => {
  for (const seed of [1, 2]) {
    const [diff, scale] = tf.tidy(() => {
      const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', seed);
      const mine = ours.predict(x) as tf.Tensor;
      const theirs = ref.predict(x) as tf.Tensor;
      assert.deepEqual(mine.shape, [2, 7, 7, 1280]);
      return [tf.max(tf.abs(tf.sub(mine, theirs))).dataSync()[0]!, tf.max(tf.abs(theirs)).dataSync()[0]!];
    });
    t.diagnostic(`seed ${seed}: max |difference| ${diff} against max |feature| ${scale}`);
    assert.ok(scale > 0.1, `features are not all near zero (max ${scale})`);
    assert.ok(diff / scale < 1e-4, `seed ${seed}: max difference ${diff} against max ${scale}`);
  }
});
