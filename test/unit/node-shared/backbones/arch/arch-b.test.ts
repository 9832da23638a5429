// EfficientNet B0-B3, Xception and InceptionV3 built from code: Keras' parameter counts,
// feature-map shapes, blocks that cut the graph cleanly, Keras' input-size limits, and
// EfficientNet's in-network normalisation checked against a hand computation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../../src-node-shared/backend';
import {
  efficientnetB0,
  efficientnetB1,
  efficientnetB2,
  efficientnetB3,
  Normalization,
  subBlocks,
} from '../../../../../src-node-shared/backbones/arch/efficientnet';
import { featureShapeOf } from '../../../../../src-node-shared/backbones/arch/index';
import { inceptionV3 } from '../../../../../src-node-shared/backbones/arch/inception-v3';
import type { KerasArch } from '../../../../../src-node-shared/backbones/arch/types';
import { WEIGHTS_BASE_ENV } from '../../../../../src-node-shared/backbones/arch/weights-url';
import { xception } from '../../../../../src-node-shared/backbones/arch/xception';

before(async () => {
  // Nothing here runs a big network forward, so the plain cpu backend is enough.
  await selectBackend({ prefer: 'cpu' });
});

// Keras' applications table (keras.io/api/applications) gives the with-top count; the
// no-top ones are Keras model.summary() figures. Both are asserted, the first through the
// 1000-class Dense layer Keras puts on the pooled features.
const KERAS_COUNTS: Array<[KerasArch, number, number]> = [
  [efficientnetB0, 4_049_571, 5_330_571],
  [efficientnetB1, 6_575_239, 7_856_239],
  [efficientnetB2, 7_768_569, 9_177_569],
  [efficientnetB3, 10_783_535, 12_320_535],
  [xception, 20_861_480, 22_910_480],
  [inceptionV3, 21_802_784, 23_851_784],
];

function withModel<T>(arch: KerasArch, inputSize: number, fn: (m: tf.LayersModel) => T): T {
  const m = arch.build({ inputSize });
  try {
    return fn(m);
  } finally {
    m.dispose();
  }
}

test("parameter counts are Keras' exactly, without and with the ImageNet top", () => {
  for (const [arch, noTop, withTop] of KERAS_COUNTS) {
    withModel(arch, arch.defaultInputSize, (m) => {
      const features = m.outputs[0]!.shape[3]!;
      assert.equal(m.countParams(), noTop, `${arch.arch} without top`);
      assert.equal(m.countParams() + features * 1000 + 1000, withTop, `${arch.arch} with top`);
    });
  }
});

test("EfficientNet holds as many weight tensors as Keras' (314, 442 with top; B3 497 without)", () => {
  const expected: Array<[KerasArch, number]> = [
    [efficientnetB0, 314 - 2],
    [efficientnetB1, 442 - 2],
    [efficientnetB3, 497],
  ];
  for (const [arch, n] of expected) withModel(arch, 64, (m) => assert.equal(m.weights.length, n, arch.arch));
});

test("feature maps have Keras' shapes at two sizes, the minimum among them", () => {
  const cases: Array<[KerasArch, number, number[]]> = [
    [efficientnetB0, 224, [7, 7, 1280]],
    [efficientnetB0, 225, [8, 8, 1280]],
    [efficientnetB1, 240, [8, 8, 1280]],
    [efficientnetB2, 260, [9, 9, 1408]],
    [efficientnetB3, 300, [10, 10, 1536]],
    [efficientnetB3, 32, [1, 1, 1536]],
    [xception, 299, [10, 10, 2048]],
    [xception, 71, [3, 3, 2048]],
    [inceptionV3, 299, [8, 8, 2048]],
    [inceptionV3, 150, [3, 3, 2048]],
    [inceptionV3, 75, [1, 1, 2048]],
  ];
  for (const [arch, size, shape] of cases) {
    withModel(arch, size, (m) => {
      assert.deepEqual(m.outputs[0]!.shape, [null, ...shape], `${arch.arch} at ${size}`);
      assert.deepEqual(featureShapeOf(arch.arch, size), shape, `featureShapeOf agrees for ${arch.arch} at ${size}`);
      assert.equal(m.outputLayers[0]!.name, arch.featureLayer({ inputSize: size }));
    });
  }
});

function inboundLayers(l: tf.layers.Layer): tf.layers.Layer[] {
  return l.inboundNodes.flatMap((n) => n.inboundLayers);
}

/** The layer and everything it depends on. */
function ancestors(l: tf.layers.Layer): Set<tf.layers.Layer> {
  const seen = new Set<tf.layers.Layer>();
  const stack = [l];
  while (stack.length) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...inboundLayers(cur));
  }
  return seen;
}

/** Layers after the cut that read a tensor from before it other than the cut's own. */
function crossings(m: tf.LayersModel, lastLayer: string): string[] {
  const cut = m.getLayer(lastLayer);
  const before = ancestors(cut);
  return m.layers
    .filter((l) => !before.has(l))
    .flatMap((l) =>
      inboundLayers(l)
        .filter((i) => before.has(i) && i !== cut)
        .map((i) => `${l.name} reads ${i.name}`),
    );
}

test('every block ends at a layer of the network, in order, and cuts the graph cleanly', () => {
  for (const arch of [efficientnetB0, efficientnetB3, xception, inceptionV3]) {
    const opts = { inputSize: arch.minInputSize };
    withModel(arch, opts.inputSize, (m) => {
      const blocks = arch.blocks(opts);
      const positions = blocks.map((b) => m.layers.findIndex((l) => l.name === b.lastLayer));
      assert.ok(
        positions.every((p) => p >= 0),
        `${arch.arch}: missing ${blocks.filter((_, i) => positions[i]! < 0).map((b) => b.lastLayer)}`,
      );
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
        `${arch.arch}: blocks out of order`,
      );
      assert.equal(blocks.at(-1)!.lastLayer, arch.featureLayer(opts));
      for (const b of blocks) assert.deepEqual(crossings(m, b.lastLayer), [], `${arch.arch} at ${b.name}`);
      // The check can fail: inside a residual block the shortcut crosses any cut.
      const inner =
        arch === inceptionV3 ? 'activation_5' : arch === xception ? 'block5_sepconv1_act' : 'block2b_expand_activation';
      assert.notDeepEqual(crossings(m, inner), [], `${arch.arch}: a cut at ${inner} should not be clean`);
    });
  }
});

test("block names follow Keras' sub-blocks, mixed layers and Xception's numbered blocks", () => {
  const b0 = efficientnetB0.blocks({ inputSize: 224 }).map((b) => `${b.name}:${b.lastLayer}`);
  assert.equal(b0.length, 1 + 16 + 1);
  assert.deepEqual(b0.slice(0, 4), [
    'stem:stem_activation',
    'block1a:block1a_project_bn',
    'block2a:block2a_project_bn',
    'block2b:block2b_add',
  ]);
  assert.deepEqual(b0.slice(-2), ['block7a:block7a_project_bn', 'top:top_activation']);
  // Depth 1.1 gives stage 1 a second, residual sub-block.
  assert.ok(efficientnetB1.blocks({ inputSize: 240 }).some((b) => b.lastLayer === 'block1b_add'));
  assert.equal(efficientnetB3.blocks({ inputSize: 300 }).length, 1 + 26 + 1);
  assert.deepEqual(
    xception
      .blocks({ inputSize: 299 })
      .map((b) => b.lastLayer)
      .slice(0, 3),
    ['block1_conv2_act', 'add', 'add_1'],
  );
  assert.equal(xception.blocks({ inputSize: 299 }).length, 14);
  assert.deepEqual(
    inceptionV3
      .blocks({ inputSize: 299 })
      .map((b) => b.name)
      .slice(0, 2),
    ['stem', 'mixed0'],
  );
  assert.equal(inceptionV3.blocks({ inputSize: 299 }).length, 12);
});

test("Xception lists its layers in tf.keras' order, the auto-named residual layers between the separable ones", () => {
  // As tf.keras 2.x's model.summary() prints Xception (the order its .h5 files were saved in).
  withModel(xception, 71, (m) => {
    const names = m.layers.map((l) => l.name);
    assert.equal(names.length, 132);
    assert.deepEqual(names.slice(7, 16), [
      'block2_sepconv1',
      'block2_sepconv1_bn',
      'block2_sepconv2_act',
      'block2_sepconv2',
      'block2_sepconv2_bn',
      'conv2d',
      'block2_pool',
      'batch_normalization',
      'add',
    ]);
    assert.deepEqual(names.slice(116, 127), [
      'block13_sepconv1_act',
      'block13_sepconv1',
      'block13_sepconv1_bn',
      'block13_sepconv2_act',
      'block13_sepconv2',
      'block13_sepconv2_bn',
      'conv2d_3',
      'block13_pool',
      'batch_normalization_3',
      'add_11',
      'block14_sepconv1',
    ]);
  });
});

test("too-small or fractional inputs are refused with Keras' minimum in the message", () => {
  assert.throws(() => efficientnetB0.build({ inputSize: 31 }), /EfficientNetB0.*31.*at least 32/);
  assert.throws(() => xception.build({ inputSize: 70 }), /Xception.*70.*at least 71/);
  assert.throws(() => inceptionV3.build({ inputSize: 74 }), /InceptionV3.*74.*at least 75/);
  assert.throws(() => inceptionV3.build({ inputSize: 299.5 }), /integer/);
});

test("EfficientNet drops whole samples before each residual add, with Keras' growing rate", () => {
  withModel(efficientnetB0, 64, (m) => {
    const drops = m.layers.filter((l) => l.name.endsWith('_drop'));
    assert.equal(drops.length, 16 - 7, 'one per sub-block with a skip');
    const cfg = m.getLayer('block2b_drop').getConfig();
    assert.deepEqual(cfg.noiseShape, [null, 1, 1, 1]);
    // drop_connect_rate * b / blocks: block2b is the third of 16 sub-blocks.
    assert.ok(Math.abs((cfg.rate as number) - (0.2 * 2) / 16) < 1e-12);
    assert.equal(subBlocks({ width: 1, depth: 1 }).at(-1)!.dropRate, (0.2 * 15) / 16);
  });
});

test('Normalization computes (x - mean) / max(sqrt(variance), 1e-7) per channel', () => {
  const layer = new Normalization({ name: 'norm_check' });
  const x = tf.tensor4d([5, 2.5, 3.5, -1, 2, 2], [1, 1, 2, 3]);
  layer.apply(x); // builds it
  assert.deepEqual(
    layer.weights.map((w) => [w.originalName, w.shape, w.trainable]),
    [
      ['norm_check/mean', [3], false],
      ['norm_check/variance', [3], false],
      ['norm_check/count', [], false],
    ],
  );
  layer.setWeights([tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 0, 0.25]), tf.scalar(10)]);
  const y = layer.apply(x) as tf.Tensor;
  const eps = Math.fround(1e-7);
  const expected = [(5 - 1) / 2, (Math.fround(2.5) - 2) / eps, (3.5 - 3) / 0.5, (-1 - 1) / 2, 0, (2 - 3) / 0.5];
  const got = Array.from(y.dataSync());
  got.forEach((v, i) =>
    assert.ok(
      Math.abs(v - expected[i]!) <= 1e-5 * Math.max(1, Math.abs(expected[i]!)),
      `element ${i}: ${v} vs ${expected[i]}`,
    ),
  );
  tf.dispose([x, y]);
  layer.dispose();
});

test('Normalization survives a tfjs save and load (registered as a serializable class)', async () => {
  const input = tf.input({ shape: [2, 2, 3] });
  const output = new Normalization({ name: 'normalization' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.getLayer('normalization').setWeights([tf.tensor1d([10, 20, 30]), tf.tensor1d([1, 4, 9]), tf.scalar(0)]);
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(
      async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
    ),
  );
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const x = tf.fill([1, 2, 2, 3], 40);
  const y = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(y.dataSync()).slice(0, 3), [30, 10, 10 / 3].map(Math.fround));
  tf.dispose([x, y]);
  model.dispose();
  loaded.dispose();
});

test('a whole EfficientNet saves and loads in tfjs and computes the same features', async () => {
  const m = efficientnetB0.build({ inputSize: 32 });
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(
      async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
    ),
  );
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  assert.deepEqual(
    loaded.getLayer('rescaling_1').getConfig().scale,
    [0.229, 0.224, 0.225].map((s) => 1 / Math.sqrt(s)),
  );
  assert.equal(loaded.getLayer('normalization').getClassName(), 'Normalization');
  const x = tf.randomUniform([1, 32, 32, 3], 0, 255, 'float32', 3);
  const [a, b] = [m.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
  assert.equal(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0], 0);
  tf.dispose([x, a, b]);
  m.dispose();
  loaded.dispose();
});

test("EfficientNet's stem turns raw pixels into ImageNet-normalised values as Keras does", () => {
  withModel(efficientnetB0, 32, (m) => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    // The published weights store the std as the Normalization's variance (Keras' comment
    // on tensorflow issue 49930); the second Rescaling completes the division by the std.
    m.getLayer('normalization').setWeights([tf.tensor1d(mean), tf.tensor1d(std), tf.scalar(0)]);
    const stem = tf.model({ inputs: m.inputs, outputs: m.getLayer('rescaling_1').output as tf.SymbolicTensor });
    const x = tf.tidy(() => tf.tile(tf.tensor4d([0, 128, 255], [1, 1, 1, 3]), [1, 32, 32, 1]));
    const y = stem.predict(x) as tf.Tensor;
    const got = Array.from(y.dataSync()).slice(0, 3);
    const expected = [0, 128, 255].map((p, c) => (p / 255 - mean[c]!) / std[c]!);
    got.forEach((v, c) => assert.ok(Math.abs(v - expected[c]!) < 1e-5, `channel ${c}: ${v} vs ${expected[c]}`));
    tf.dispose([x, y]);
  });
});

test('EfficientNetB0 runs forward: squeeze-excite broadcasts and dropout is the identity at inference', () => {
  withModel(efficientnetB0, 64, (m) => {
    const x = tf.randomUniform([1, 64, 64, 3], 0, 255, 'float32', 7);
    const [a, b] = [m.predict(x) as tf.Tensor, m.predict(x) as tf.Tensor];
    assert.deepEqual(a.shape, [1, 2, 2, 1280]);
    assert.ok(Array.from(a.dataSync()).every(Number.isFinite));
    assert.equal(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0], 0);
    tf.dispose([x, a, b]);
  });
});

test("weights come from Keras' files and hashes, through the mirror when one is set", () => {
  assert.deepEqual(efficientnetB0.weights({ inputSize: 224 }), {
    file: 'efficientnetb0_notop.h5',
    url: 'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5',
    fileHash: '50bc09e76180e00e4465e1a485ddc09d',
  });
  assert.equal(efficientnetB3.weights({ inputSize: 300 }).fileHash, 'af6d107764bb5b1abb91932881670226');
  assert.equal(xception.weights({ inputSize: 299 }).file, 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5');
  assert.equal(inceptionV3.weights({ inputSize: 299 }).fileHash, 'bcbd6486424b2319ff4ef7d526e38f63');
  const saved = process.env[WEIGHTS_BASE_ENV];
  process.env[WEIGHTS_BASE_ENV] = 'http://mirror.local/keras/';
  try {
    assert.equal(efficientnetB2.weights({ inputSize: 260 }).url, 'http://mirror.local/keras/efficientnetb2_notop.h5');
    assert.equal(
      inceptionV3.weights({ inputSize: 299 }).url,
      'http://mirror.local/keras/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
  } finally {
    if (saved === undefined) delete process.env[WEIGHTS_BASE_ENV];
    else process.env[WEIGHTS_BASE_ENV] = saved;
  }
});

test('preprocessing: raw pixels for EfficientNet, [-1, 1] for Xception and InceptionV3', () => {
  for (const arch of [efficientnetB0, efficientnetB1, efficientnetB2, efficientnetB3])
    assert.deepEqual(arch.preprocessing, { kind: 'raw' });
  assert.deepEqual(xception.preprocessing, { kind: 'symmetric' });
  assert.deepEqual(inceptionV3.preprocessing, { kind: 'symmetric' });
  assert.deepEqual(
    [efficientnetB0, efficientnetB1, efficientnetB2, efficientnetB3].map((a) => a.defaultInputSize),
    [224, 240, 260, 300],
  );
});
