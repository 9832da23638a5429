import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import type { Group } from 'h5wasm/node';
import { selectBackend } from '../../../../src-node-shared/backend';
import { seededRandom } from '../../../../src-shared/random';
import { applyKerasWeights, kerasLayerPaths } from '../../../../src-node-shared/backbones/keras-h5-apply';
import { readKerasH5 } from '../../../../src-node-shared/backbones/keras-h5-read';
import { specOf, writeKerasH5 } from '../../../fixtures/keras-h5-writer';
import type { SpecLayer, WriteOptions } from '../../../fixtures/keras-h5-writer';

const dir = mkdtempSync(join(tmpdir(), 'keras-h5-'));

before(async () => {
  await selectBackend({ prefer: 'cpu' });
});

// conv (kernel, bias), BN, relu, depthwise (no bias), BN without gamma, pooling, dense: 5 weighted layers, 12 tensors.
function tinyNet(filters = 4): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ name: 'c1', filters, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'c1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'c1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ name: 'dw', kernelSize: 3, useBias: false, padding: 'same' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'dw_bn', scale: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'fc', units: 3 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'tiny' });
}

/** The tiny net with every weight (moving statistics included) drawn from a seeded generator. */
function sourceNet(seed: number): tf.LayersModel {
  const model = tinyNet();
  const next = seededRandom(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((v) => {
      const shape = v.shape as number[];
      return tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next() + 0.1),
        shape,
      );
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((v) => Float32Array.from(v.read().dataSync() as Float32Array));
}

async function written(name: string, layers: SpecLayer[], opts: WriteOptions): Promise<string> {
  const path = join(dir, name);
  await writeKerasH5(path, layers, opts);
  return path;
}

const KERAS3_KEYS = [
  'input_layer',
  'conv2d',
  'batch_normalization',
  're_lu',
  'depthwise_conv2d',
  'batch_normalization_1',
  'global_average_pooling2d',
  'dense',
];

const cases: Array<{ name: string; opts: WriteOptions; layout: string; firstWeight: string }> = [
  { name: 'keras2.h5', opts: { layout: 'keras2' }, layout: 'keras2', firstWeight: 'c1/kernel:0' },
  { name: 'keras3-legacy.h5', opts: { layout: 'keras3-legacy' }, layout: 'keras3-legacy', firstWeight: 'c1/kernel' },
  { name: 'keras1.h5', opts: { layout: 'keras1', kerasVersion: '2.0.2' }, layout: 'keras1', firstWeight: 'c1_W_1:0' },
  { name: 'full-model.h5', opts: { layout: 'keras2', fullModel: true }, layout: 'keras2', firstWeight: 'c1/kernel:0' },
  { name: 'split.h5', opts: { layout: 'keras2', headerLimit: 24 }, layout: 'keras2', firstWeight: 'c1/kernel:0' },
  { name: 'vlen.h5', opts: { layout: 'keras2', vlenStrings: true }, layout: 'keras2', firstWeight: 'c1/kernel:0' },
  {
    name: 'model.weights.h5',
    opts: { layout: 'keras3-weights', keras3Keys: KERAS3_KEYS },
    layout: 'keras3-weights',
    firstWeight: '0',
  },
];

for (const c of cases) {
  test(`a ${c.name} file written as Keras does loads with every value equal`, async () => {
    const source = sourceNet(7);
    const path = await written(c.name, specOf(source), c.opts);
    const file = await readKerasH5(path);
    assert.equal(file.layout, c.layout);
    const layers = new Map(file.layers.map((l) => [l.name, l]));
    if (c.layout === 'keras3-weights') {
      // HDF5 lists groups by name; Keras 3 pairs by these paths, not by order.
      assert.deepEqual(
        file.layers.map((l) => l.path),
        ['batch_normalization', 'batch_normalization_1', 'conv2d', 'dense', 'depthwise_conv2d'].map(
          (k) => `layers/${k}`,
        ),
      );
    } else {
      assert.deepEqual([...layers.keys()], ['c1', 'c1_bn', 'dw', 'dw_bn', 'fc']);
    }
    assert.equal(layers.get('c1')!.weights[0]!.name, c.firstWeight);
    assert.deepEqual(
      layers.get('dw_bn')!.weights.map((w) => w.shape),
      [[4], [4], [4]],
    );

    const target = tinyNet();
    const before = tf.memory().numTensors;
    assert.deepEqual(applyKerasWeights(target, file, path), { layers: 5, tensors: 12, params: target.countParams() });
    assert.equal(tf.memory().numTensors, before, 'apply leaves no tensor behind');
    const want = snapshot(source);
    snapshot(target).forEach((got, i) => assert.deepEqual(got, want[i], `weight ${target.weights[i]!.name}`));
    source.dispose();
    target.dispose();
  });
}

test('the split file really stores layer_names and weight_names as layer_names0.., weight_names0..', async () => {
  await h5wasm.ready;
  const f = new h5wasm.File(join(dir, 'split.h5'), 'r');
  try {
    const rootAttrs = Object.keys(f.attrs);
    assert.ok(!rootAttrs.includes('layer_names'));
    assert.ok(rootAttrs.filter((a) => /^layer_names\d+$/.test(a)).length >= 3, rootAttrs.join(','));
    const bn = f.get('c1_bn') as Group;
    assert.ok(Object.keys(bn.attrs).includes('weight_names1'));
  } finally {
    f.close();
  }
});

test('Keras 3 paths follow the class names with a counter per class', () => {
  const model = tinyNet();
  assert.deepEqual(
    kerasLayerPaths(model),
    KERAS3_KEYS.map((k) => `layers/${k}`),
  );
  model.dispose();
});

test('the reader says what a file holds: Keras version, backend, layout, layers and weights', async () => {
  const file = await readKerasH5(join(dir, 'full-model.h5'));
  const model = tinyNet();
  const weights = file.layers.flatMap((l) => l.weights);
  assert.equal(file.kerasVersion, '2.15.0');
  assert.equal(file.backend, 'tensorflow');
  assert.equal(file.layout, 'keras2');
  assert.deepEqual(
    [file.layers.length, weights.length, weights.reduce((n, w) => n + w.values.length, 0)],
    [5, 12, model.countParams()],
  );
  assert.deepEqual([file.layers[0]?.name, file.layers.at(-1)?.name], ['c1', 'fc']);
  model.dispose();
});

test('one wrong shape is refused, naming the layer and both shapes, and the model keeps its weights', async () => {
  const source = sourceNet(3);
  const layers = specOf(source);
  const dw = layers.find((l) => l.name === 'dw')!;
  dw.weights[0] = { name: 'depthwise_kernel', shape: [5, 5, 4, 1], values: new Float32Array(100) };
  const path = await written('wrong-shape.h5', layers, { layout: 'keras2' });
  const file = await readKerasH5(path);
  const target = tinyNet();
  const beforeValues = snapshot(target);
  assert.throws(
    () => applyKerasWeights(target, file, path),
    (err: Error) => {
      assert.match(err.message, new RegExp(path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
      assert.match(
        err.message,
        /layer dw \(file: dw\): depthwise_kernel is \[3,3,4,1\] in the model but \[5,5,4,1\] in the file/,
      );
      assert.match(err.message, /alpha/);
      assert.equal(err.message.match(/ in the model but /g)!.length, 1);
      return true;
    },
  );
  snapshot(target).forEach((v, i) => assert.deepEqual(v, beforeValues[i]));
  source.dispose();
  target.dispose();
});

test('every mismatch is reported in one error: a wider conv changes three layers', async () => {
  const path = await written('wider.h5', specOf(tinyNet(6)), { layout: 'keras2' });
  const file = await readKerasH5(path);
  const target = tinyNet(4);
  const err = captureError(() => applyKerasWeights(target, file, path));
  const lines = err.message.split('\n').filter((l) => l.startsWith('- '));
  assert.deepEqual(lines, [
    '- layer c1 (file: c1): kernel is [3,3,3,4] in the model but [3,3,3,6] in the file',
    '- layer c1 (file: c1): bias is [4] in the model but [6] in the file',
    '- layer c1_bn (file: c1_bn): gamma is [4] in the model but [6] in the file',
    '- layer c1_bn (file: c1_bn): beta is [4] in the model but [6] in the file',
    '- layer c1_bn (file: c1_bn): moving_mean is [4] in the model but [6] in the file',
    '- layer c1_bn (file: c1_bn): moving_variance is [4] in the model but [6] in the file',
    '- layer dw (file: dw): depthwise_kernel is [3,3,4,1] in the model but [3,3,6,1] in the file',
    '- layer dw_bn (file: dw_bn): beta is [4] in the model but [6] in the file',
    '- layer dw_bn (file: dw_bn): moving_mean is [4] in the model but [6] in the file',
    '- layer dw_bn (file: dw_bn): moving_variance is [4] in the model but [6] in the file',
    '- layer fc (file: fc): kernel is [4,3] in the model but [6,3] in the file',
  ]);
  target.dispose();
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

test('too few or too many weighted layers are refused with both counts', async () => {
  const source = sourceNet(5);
  const all = specOf(source);
  const fewer = await written(
    'fewer.h5',
    all.filter((l) => l.name !== 'dw_bn'),
    { layout: 'keras2' },
  );
  const more = await written(
    'more.h5',
    [...all, { name: 'extra', weights: [{ name: 'kernel', shape: [2], values: new Float32Array(2) }] }],
    { layout: 'keras2' },
  );
  const target = tinyNet();
  const beforeValues = snapshot(target);
  const fewerFile = await readKerasH5(fewer);
  const e1 = captureError(() => applyKerasWeights(target, fewerFile, fewer));
  assert.match(e1.message, /the model has 5 layers with weights but the file has 4; only in the model: dw_bn/);
  assert.match(e1.message, new RegExp(fewer.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  const moreFile = await readKerasH5(more);
  const e2 = captureError(() => applyKerasWeights(target, moreFile, more));
  assert.match(e2.message, /the model has 5 layers with weights but the file has 6; only in the file: extra/);
  snapshot(target).forEach((v, i) => assert.deepEqual(v, beforeValues[i]));
  source.dispose();
  target.dispose();
});

test('a layer with a different number of weights is named with both lists', async () => {
  const layers = specOf(sourceNet(9));
  layers.find((l) => l.name === 'dw')!.weights.push({ name: 'bias', shape: [4], values: new Float32Array(4) });
  const path = await written('extra-bias.h5', layers, { layout: 'keras3-legacy' });
  const file = await readKerasH5(path);
  const target = tinyNet();
  const err = captureError(() => applyKerasWeights(target, file, path));
  assert.match(
    err.message,
    /layer dw \(file: dw\): 1 weights in the model \(depthwise_kernel\) but 2 in the file \(dw\/depthwise_kernel, dw\/bias\)/,
  );
  target.dispose();
});

test("a Keras 3 .weights.h5 without one of the model's layers names its path", async () => {
  const layers = specOf(sourceNet(2));
  const keys = [...KERAS3_KEYS];
  keys[5] = 'batch_normalization_7';
  const path = await written('bad.weights.h5', layers, { layout: 'keras3-weights', keras3Keys: keys });
  const file = await readKerasH5(path);
  const target = tinyNet();
  const err = captureError(() => applyKerasWeights(target, file, path));
  assert.match(err.message, /layer dw_bn: no weights at layers\/batch_normalization_1 in the file/);
  assert.match(err.message, /the file's layers\/batch_normalization_7 \(dw_bn\) matches no layer of the model/);
  target.dispose();
});

test('a file that is not HDF5, a missing file and HDF5 without Keras weights give errors naming the path', async () => {
  const notH5 = join(dir, 'notes.h5');
  writeFileSync(notH5, 'these are not weights\n'.repeat(100));
  await assert.rejects(
    readKerasH5(notH5),
    (err: Error) =>
      err.message.includes(notH5) && /not an HDF5 file/.test(err.message) && /expected a Keras \.h5/.test(err.message),
  );
  const missing = join(dir, 'missing.h5');
  await assert.rejects(
    readKerasH5(missing),
    (err: Error) => err.message.includes(missing) && /does not exist/.test(err.message),
  );
  await h5wasm.ready;
  const other = join(dir, 'other.h5');
  const f = new h5wasm.File(other, 'w');
  f.create_group('entry').create_dataset({ name: 'data', data: new Float32Array([1, 2]), dtype: '<f' });
  f.close();
  await assert.rejects(
    readKerasH5(other),
    (err: Error) =>
      err.message.includes(other) && /not Keras weights: expected a root attribute layer_names/.test(err.message),
  );
});

test('a truncated download is named as such', async () => {
  const whole = await written('whole.h5', specOf(tinyNet()), { layout: 'keras2' });
  const cut = join(dir, 'cut.h5');
  const bytes = readFileSync(whole);
  writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(
    readKerasH5(cut),
    (err: Error) => err.message.includes(cut) && /truncated download or a damaged file/.test(err.message),
  );
});
