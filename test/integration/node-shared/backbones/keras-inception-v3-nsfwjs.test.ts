// Our InceptionV3 built from code against the one Keras 2.2.4 exported and nsfwjs ships as
// a tfjs layers model. Keras 2.2 numbered automatic names from 1 (`conv2d_1`), tf.keras
// 2.x from none (`conv2d`), so names are compared shifted by one; the order of layers,
// which is what Keras loads .h5 weights by, must be identical.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { readNsfwjs } from '../../../../src-node-shared/backbones/sources';
import { inceptionV3 } from '../../../../src-node-shared/backbones/arch/inception-v3';
import { copyWeightsByName } from './copy-weights';
import type { CopyReport } from './copy-weights';

let ref: tf.LayersModel;
let ours: tf.LayersModel;
let named: tf.NamedTensorMap;
let renamed: tf.NamedTensorMap;
let report: CopyReport;
/** The layers as Keras 2.2.4 listed them in the file (its model.layers order). */
let kerasOrder: string[];

const AUTO_KINDS = /^(conv2d|batch_normalization|activation|max_pooling2d|average_pooling2d|concatenate)_(\d+)$/;

/** Keras 2.2's automatic name `kind_N` as tf.keras 2.x gives the same layer: `kind`, `kind_1`, ... */
function toKeras2(name: string): string {
  const m = AUTO_KINDS.exec(name);
  if (!m) return name;
  const n = Number(m[2]) - 1;
  return n === 0 ? m[1]! : `${m[1]}_${n}`;
}

const weighted = (m: tf.LayersModel): tf.layers.Layer[] => m.layers.filter((l) => l.weights.length > 0);

/** nsfwjs' weights under our names, paired layer by layer in order (Keras' .h5 rule). */
function renameByOrder(): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  const mine = weighted(ours);
  weighted(ref).forEach((theirs, i) => {
    const layer = mine[i]!;
    theirs.weights.forEach((w, k) => {
      const suffix = w.originalName.slice(theirs.name.length);
      assert.equal(
        layer.weights[k]!.originalName,
        `${layer.name}${suffix}`,
        `weight ${k} of ${layer.name} is ${w.originalName}'s counterpart`,
      );
      out[`${layer.name}${suffix}`] = named[w.originalName]!;
    });
  });
  return out;
}

before(async () => {
  await selectBackend({ prefer: 'wasm', exclude: ['cpu'] });
  const { artifacts } = readNsfwjs('inception_v3', { truncateAt: 'mixed10' });
  const topology = artifacts.modelTopology as { model_config: { config: { layers: Array<{ name: string }> } } };
  kerasOrder = topology.model_config.config.layers.map((l) => l.name);
  ref = await tf.loadLayersModel(tf.io.fromMemory(artifacts), { strict: false });
  named = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs!);
  ours = inceptionV3.build({ inputSize: 299 });
  renamed = renameByOrder();
  report = copyWeightsByName(ours, renamed);
});

after(() => {
  ref?.dispose();
  ours?.dispose();
  tf.dispose(Object.values(named ?? {}));
});

test("the layers are nsfwjs' in the same order, names shifted from Keras 2.2's numbering", () => {
  assert.equal(ref.layers.length, 311);
  assert.deepEqual(
    ours.layers.map((l) => l.name),
    ref.layers.map((l) => toKeras2(l.name)),
  );
  assert.deepEqual(
    ours.layers.map((l) => l.name),
    kerasOrder.map(toKeras2),
    'the order Keras itself saved',
  );
  assert.deepEqual(
    weighted(ours).map((l) => l.name),
    weighted(ref).map((l) => toKeras2(l.name)),
  );
});

test('every layer has the same configuration', () => {
  const skip = /^(name|trainable|dtype|batchInputShape|.*(Initializer|Regularizer|Constraint))$/;
  const strip = (c: object) => Object.fromEntries(Object.entries(c).filter(([k]) => !skip.test(k)));
  ref.layers.forEach((l, i) => assert.deepEqual(strip(ours.layers[i]!.getConfig()), strip(l.getConfig()), l.name));
});

test('every backbone weight of nsfwjs is copied, in order, with the same shape', () => {
  assert.deepEqual(report.missing, []);
  assert.deepEqual(report.unused, []);
  assert.equal(report.copied.length, ours.weights.length);
  assert.equal(report.copied.length, ref.weights.length);
  // nsfwjs' head (after mixed10) is all that is left of its weights.
  const refLayers = new Set(ref.layers.map((l) => l.name));
  const left = Object.keys(named).filter((n) => !refLayers.has(n.split('/')[0]!));
  assert.ok(
    left.every((n) => /^dense_\d\//.test(n)),
    `left over: ${left.filter((n) => !/^dense_/.test(n)).join(', ')}`,
  );
  assert.equal(Object.keys(named).length - left.length, ours.weights.length);
  assert.equal(ours.countParams(), ref.countParams());
});

test("mixed10 features agree with nsfwjs' own model within 1e-4 of their scale", (t) => {
  for (const seed of [1, 2]) {
    const started = Date.now();
    const [diff, scale] = tf.tidy(() => {
      const x = tf.randomUniform([1, 299, 299, 3], -1, 1, 'float32', seed);
      const mine = ours.predict(x) as tf.Tensor;
      const theirs = ref.predict(x) as tf.Tensor;
      assert.deepEqual(mine.shape, [1, 8, 8, 2048]);
      return [tf.max(tf.abs(tf.sub(mine, theirs))).dataSync()[0]!, tf.max(tf.abs(theirs)).dataSync()[0]!];
    });
    t.diagnostic(
      `seed ${seed}: max |difference| ${diff} against max |feature| ${scale}; both models in ${Date.now() - started} ms`,
    );
    assert.ok(scale > 0.1, `features are not all near zero (max ${scale})`);
    assert.ok(diff / scale < 1e-4, `seed ${seed}: max difference ${diff} against max ${scale}`);
  }
});
