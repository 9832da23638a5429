// MobileNet V1, MobileNetV2, ResNet50 and VGG16 built from code against Keras' published
// figures: parameter counts with and without top, feature-map shapes, Keras' layer
// names, order and defaults, clean block boundaries, and the weight files Keras fetches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../../src-node-shared/backend';
import { mobilenet } from '../../../../../src-node-shared/backbones/arch/mobilenet';
import { mobilenetV2 } from '../../../../../src-node-shared/backbones/arch/mobilenet-v2';
import { resnet50 } from '../../../../../src-node-shared/backbones/arch/resnet50';
import { vgg16 } from '../../../../../src-node-shared/backbones/arch/vgg16';
import { correctPad, kerasInput, makeDivisible } from '../../../../../src-node-shared/backbones/arch/keras-layers';
import { WEIGHTS_BASE_ENV, weightsUrl } from '../../../../../src-node-shared/backbones/arch/weights-url';
import type { ArchOptions, KerasArch } from '../../../../../src-node-shared/backbones/arch/types';

before(async () => {
  await selectBackend({ prefer: 'cpu' });
});

/** Builds, hands the model to `fn`, and always disposes it. */
function withModel<T>(arch: KerasArch, opts: ArchOptions, fn: (m: tf.LayersModel) => T): T {
  const m = arch.build(opts);
  try {
    return fn(m);
  } finally {
    m.dispose();
  }
}

const featureWidth = (m: tf.LayersModel): number => m.outputs[0]!.shape[3]!;
/** GlobalAveragePooling2D + Dense(1000): MobileNetV2 and ResNet50's top. */
const denseTop = (c: number): number => c * 1000 + 1000;
/** GlobalAveragePooling2D(keepdims) + Dropout + 1x1 Conv2D(1000, bias) + Reshape: MobileNet's. */
const convTop = (c: number): number => c * 1000 + 1000;
/** Flatten + fc1 4096 + fc2 4096 + predictions 1000 on VGG16's 7x7x512 map at 224 px. */
const vggTop = (h: number, w: number, c: number): number =>
  h * w * c * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000;

const cases: Array<{
  arch: KerasArch;
  opts: ArchOptions;
  noTop: number;
  withTop: number;
  top: (m: tf.LayersModel) => number;
}> = [
  {
    arch: mobilenetV2,
    opts: { inputSize: 224, alpha: 1.0 },
    noTop: 2_257_984,
    withTop: 3_538_984,
    top: (m) => denseTop(featureWidth(m)),
  },
  {
    arch: mobilenet,
    opts: { inputSize: 224, alpha: 1.0 },
    noTop: 3_228_864,
    withTop: 4_253_864,
    top: (m) => convTop(featureWidth(m)),
  },
  {
    arch: resnet50,
    opts: { inputSize: 224 },
    noTop: 23_587_712,
    withTop: 25_636_712,
    top: (m) => denseTop(featureWidth(m)),
  },
  {
    arch: vgg16,
    opts: { inputSize: 224 },
    noTop: 14_714_688,
    withTop: 138_357_544,
    top: (m) => vggTop(m.outputs[0]!.shape[1]!, m.outputs[0]!.shape[2]!, featureWidth(m)),
  },
];

for (const c of cases) {
  test(`${c.arch.label}: Keras' parameter counts without top (${c.noTop}) and with it (${c.withTop})`, () => {
    withModel(c.arch, c.opts, (m) => {
      assert.equal(m.countParams(), c.noTop);
      assert.equal(m.countParams() + c.top(m), c.withTop);
    });
  });
}

test("MobileNet 0.25 and the other alphas have Keras' counts, growing with alpha", () => {
  const v1 = mobilenet.alphas!.map((alpha) => withModel(mobilenet, { inputSize: 224, alpha }, (m) => m.countParams()));
  assert.deepEqual(mobilenet.alphas, [0.25, 0.5, 0.75, 1.0]);
  assert.equal(v1[0], 218_544);
  assert.equal(v1[3], 3_228_864);
  for (let i = 1; i < v1.length; i++)
    assert.ok(
      v1[i]! > v1[i - 1]!,
      `alpha ${mobilenet.alphas![i]} has more parameters than ${mobilenet.alphas![i - 1]}`,
    );
});

test('MobileNetV2 alphas: 0.35 is 410,208 without top; 0.5 and 0.75 match the published totals with top', () => {
  const counts = new Map(
    mobilenetV2.alphas!.map((alpha) => [
      alpha,
      withModel(mobilenetV2, { inputSize: 224, alpha }, (m) => [m.countParams(), featureWidth(m)] as const),
    ]),
  );
  assert.equal(counts.get(0.35)![0], 410_208);
  // Totals with top as TF's Keras reports them (tallied in a public table of MobileNetV2 sizes).
  assert.equal(counts.get(0.5)![0] + denseTop(counts.get(0.5)![1]), 1_987_224);
  assert.equal(counts.get(0.75)![0] + denseTop(counts.get(0.75)![1]), 2_663_064);
  // Alpha > 1 widens the last convolution too: _make_divisible(1280 * alpha, 8).
  assert.equal(counts.get(1.3)![1], 1664);
  assert.equal(counts.get(1.4)![1], 1792);
  assert.equal(counts.get(0.35)![1], 1280);
  const sorted = [...counts.values()].map(([n]) => n);
  for (let i = 1; i < sorted.length; i++)
    assert.ok(sorted[i]! > sorted[i - 1]!, 'more parameters with each larger alpha');
});

const shapes: Array<[KerasArch, ArchOptions, number[]]> = [
  [mobilenetV2, { inputSize: 224 }, [7, 7, 1280]],
  [mobilenetV2, { inputSize: 160 }, [5, 5, 1280]],
  [mobilenetV2, { inputSize: 100, alpha: 0.35 }, [4, 4, 1280]],
  [mobilenet, { inputSize: 224 }, [7, 7, 1024]],
  [mobilenet, { inputSize: 160, alpha: 0.5 }, [5, 5, 512]],
  [mobilenet, { inputSize: 100, alpha: 0.25 }, [3, 3, 256]],
  [resnet50, { inputSize: 224 }, [7, 7, 2048]],
  [resnet50, { inputSize: 160 }, [5, 5, 2048]],
  [vgg16, { inputSize: 224 }, [7, 7, 512]],
  [vgg16, { inputSize: 160 }, [5, 5, 512]],
];

for (const [arch, opts, want] of shapes) {
  test(`${arch.label} ${JSON.stringify(opts)}: feature map ${want.join('x')} at ${arch.featureLayer(opts)}`, () => {
    withModel(arch, opts, (m) => {
      assert.deepEqual(m.outputs[0]!.shape, [null, ...want]);
      assert.deepEqual(m.inputs[0]!.shape, [null, opts.inputSize, opts.inputSize, 3]);
      assert.equal(m.inputLayers[0]!.name, 'input_1');
      assert.equal(m.layers.at(-1)!.name, arch.featureLayer(opts));
    });
  });
}

// MobileNet's 'same' stem rounds up (100 -> 50), its ((0,1),(0,1))-padded 'valid'
// depthwise convolutions round down (50 -> 25 -> 12 -> 6 -> 3), where MobileNetV2's
// correct_pad rounds up at every step (-> 4).
test('a real forward pass gives the symbolic shape (MobileNet 0.25 at 100 px: 3x3)', () => {
  withModel(mobilenet, { inputSize: 100, alpha: 0.25 }, (m) => {
    const before = tf.memory().numTensors;
    const shape = tf.tidy(() => (m.predict(tf.zeros([1, 100, 100, 3])) as tf.Tensor).shape);
    assert.deepEqual(shape, [1, 3, 3, 256]);
    assert.equal(tf.memory().numTensors, before);
  });
});

/** Indices of the layers that feed `layer` (node 0: its call in the built model). */
function sources(m: tf.LayersModel, layer: tf.layers.Layer): number[] {
  const node = layer.inboundNodes[0] as unknown as { inboundLayers: tf.layers.Layer[] };
  return node.inboundLayers.map((l) => m.layers.indexOf(l));
}

for (const [arch, opts] of [
  [mobilenetV2, { inputSize: 96 }],
  [mobilenet, { inputSize: 64 }],
  [resnet50, { inputSize: 64 }],
  [vgg16, { inputSize: 32 }],
] as const) {
  test(`${arch.label}: blocks end at existing layers, in network order, each a clean cut`, () => {
    withModel(arch, opts, (m) => {
      const names = m.layers.map((l) => l.name);
      const blocks = arch.blocks(opts);
      assert.equal(new Set(blocks.map((b) => b.name)).size, blocks.length);
      assert.equal(blocks.at(-1)!.lastLayer, arch.featureLayer(opts));
      let prev = -1;
      for (const b of blocks) {
        const at = names.indexOf(b.lastLayer);
        assert.ok(at > prev, `${b.name}: ${b.lastLayer} exists and comes after the previous block`);
        prev = at;
        // split.ts rebuilds the suffix from this layer's output alone.
        for (const layer of m.layers.slice(at + 1)) {
          for (const src of sources(m, layer))
            assert.ok(src >= at, `${layer.name} reads ${names[src]}, from before ${b.lastLayer}`);
        }
      }
    });
  });
}

test("block names follow Keras' naming", () => {
  const v2 = mobilenetV2.blocks({ inputSize: 224 });
  assert.equal(v2.length, 17);
  assert.deepEqual(v2[0], { name: 'block_1', lastLayer: 'block_1_project_BN' });
  assert.deepEqual(v2[1], { name: 'block_2', lastLayer: 'block_2_add' });
  assert.deepEqual(v2.at(-2), { name: 'block_16', lastLayer: 'block_16_project_BN' });
  assert.deepEqual(v2.at(-1), { name: 'Conv_1', lastLayer: 'out_relu' });
  const v1 = mobilenet.blocks({ inputSize: 224 });
  assert.deepEqual(
    v1.map((b) => b.name),
    Array.from({ length: 13 }, (_, i) => `conv_pw_${i + 1}`),
  );
  assert.equal(v1[12]!.lastLayer, 'conv_pw_13_relu');
  const r = resnet50.blocks({ inputSize: 224 });
  assert.equal(r.length, 1 + 3 + 4 + 6 + 3);
  assert.deepEqual(r[0], { name: 'conv1', lastLayer: 'pool1_pool' });
  assert.deepEqual(r.at(-1), { name: 'conv5_block3', lastLayer: 'conv5_block3_out' });
  assert.deepEqual(
    vgg16.blocks({ inputSize: 224 }).map((b) => b.lastLayer),
    [1, 2, 3, 4, 5].map((i) => `block${i}_pool`),
  );
});

for (const arch of [mobilenet, mobilenetV2, resnet50, vgg16]) {
  test(`${arch.label}: a side under 32 px is refused, naming the size and the minimum`, () => {
    assert.equal(arch.minInputSize, 32);
    assert.throws(() => arch.build({ inputSize: 31 }), /31.*32/);
    assert.throws(() => arch.build({ inputSize: 24.5 }), /24\.5/);
  });
}

function configOf(m: tf.LayersModel, name: string): Record<string, unknown> {
  return m.getLayer(name).getConfig() as Record<string, unknown>;
}

test("MobileNetV2 keeps Keras' defaults: BN 1e-3 / 0.999, ReLU(6), no conv bias, valid stride-2 after correct_pad", () => {
  withModel(mobilenetV2, { inputSize: 224 }, (m) => {
    assert.deepEqual([configOf(m, 'bn_Conv1').epsilon, configOf(m, 'bn_Conv1').momentum], [1e-3, 0.999]);
    assert.deepEqual(
      [configOf(m, 'block_5_project_BN').epsilon, configOf(m, 'block_5_project_BN').momentum],
      [1e-3, 0.999],
    );
    assert.equal(configOf(m, 'out_relu').maxValue, 6);
    assert.equal(m.getLayer('out_relu').getClassName(), 'ReLU');
    for (const l of m.layers.filter((x) => /Conv2D$/.test(x.getClassName())))
      assert.equal(l.getConfig().useBias, false, l.name);
    for (const id of [1, 3, 6, 13]) {
      assert.deepEqual(configOf(m, `block_${id}_pad`).padding, [
        [0, 1],
        [0, 1],
      ]);
      assert.deepEqual(
        [configOf(m, `block_${id}_depthwise`).padding, configOf(m, `block_${id}_depthwise`).strides],
        ['valid', [2, 2]],
      );
    }
    assert.deepEqual(configOf(m, 'block_2_depthwise').padding, 'same');
  });
});

test("MobileNet V1 keeps Keras' defaults: BN 1e-3 / 0.99, ReLU(6), conv_pad_N ((0,1),(0,1)) before valid stride-2", () => {
  withModel(mobilenet, { inputSize: 128, alpha: 0.25 }, (m) => {
    assert.deepEqual([configOf(m, 'conv1_bn').epsilon, configOf(m, 'conv1_bn').momentum], [1e-3, 0.99]);
    assert.equal(configOf(m, 'conv_pw_13_relu').maxValue, 6);
    for (const id of [2, 4, 6, 12]) {
      assert.deepEqual(configOf(m, `conv_pad_${id}`).padding, [
        [0, 1],
        [0, 1],
      ]);
      assert.deepEqual([configOf(m, `conv_dw_${id}`).padding, configOf(m, `conv_dw_${id}`).strides], ['valid', [2, 2]]);
    }
    assert.throws(() => m.getLayer('conv_pad_3'));
    assert.equal(m.name, 'mobilenet_0.25_128');
  });
});

test("ResNet50 keeps Keras' layer order (shortcut after the main branch's _2_relu), biases and BN epsilon 1.001e-5", () => {
  withModel(resnet50, { inputSize: 64 }, (m) => {
    const names = m.layers.map((l) => l.name);
    assert.deepEqual(names.slice(0, 7), [
      'input_1',
      'conv1_pad',
      'conv1_conv',
      'conv1_bn',
      'conv1_relu',
      'pool1_pad',
      'pool1_pool',
    ]);
    const b = names.indexOf('conv2_block1_1_conv');
    assert.deepEqual(names.slice(b, b + 12), [
      'conv2_block1_1_conv',
      'conv2_block1_1_bn',
      'conv2_block1_1_relu',
      'conv2_block1_2_conv',
      'conv2_block1_2_bn',
      'conv2_block1_2_relu',
      'conv2_block1_0_conv',
      'conv2_block1_3_conv',
      'conv2_block1_0_bn',
      'conv2_block1_3_bn',
      'conv2_block1_add',
      'conv2_block1_out',
    ]);
    assert.ok(!names.includes('conv2_block2_0_conv'), "only each stage's first block has a shortcut convolution");
    assert.equal(configOf(m, 'conv3_block1_0_bn').epsilon, 1.001e-5);
    assert.equal(configOf(m, 'conv1_conv').useBias, true);
    assert.deepEqual(configOf(m, 'conv1_pad').padding, [
      [3, 3],
      [3, 3],
    ]);
    assert.deepEqual(configOf(m, 'conv4_block1_1_conv').strides, [2, 2]);
    // Weighted layers: 53 convolutions and 53 BatchNorms, as in Keras' .h5.
    assert.equal(m.layers.filter((l) => l.weights.length > 0).length, 106);
  });
});

test("the weight files are Keras' own, with its file hashes", () => {
  const K = 'https://storage.googleapis.com/tensorflow/keras-applications/';
  assert.deepEqual(mobilenet.weights({ inputSize: 160, alpha: 0.75 }), {
    file: 'mobilenet_7_5_160_tf_no_top.h5',
    url: `${K}mobilenet/mobilenet_7_5_160_tf_no_top.h5`,
  });
  assert.equal(mobilenet.weights({ inputSize: 300, alpha: 0.25 }).file, 'mobilenet_2_5_224_tf_no_top.h5');
  assert.equal(mobilenet.weights({ inputSize: 128, alpha: 1 }).file, 'mobilenet_1_0_128_tf_no_top.h5');
  assert.equal(
    mobilenetV2.weights({ inputSize: 224 }).url,
    `${K}mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`,
  );
  assert.equal(
    mobilenetV2.weights({ inputSize: 96, alpha: 0.35 }).file,
    'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5',
  );
  assert.equal(
    mobilenetV2.weights({ inputSize: 100, alpha: 1.4 }).file,
    'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_224_no_top.h5',
  );
  assert.equal(mobilenetV2.weights({ inputSize: 224 }).fileHash, undefined);
  assert.deepEqual(resnet50.weights({ inputSize: 224 }), {
    file: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${K}resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    fileHash: '4d473c1dd8becc155b73f8504c6f6626',
  });
  assert.equal(vgg16.weights({ inputSize: 224 }).url, `${K}vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`);
  assert.equal(vgg16.weights({ inputSize: 224 }).fileHash, '6d6bbae143d832006294945121d1f1fc');
  assert.throws(() => mobilenet.weights({ inputSize: 224, alpha: 0.35 }), /0\.35/);
  assert.throws(() => mobilenetV2.weights({ inputSize: 224, alpha: 0.25 }), /0\.25/);
});

test("preprocessing is Keras' preprocess_input mode: tf for the MobileNets, caffe for ResNet50 and VGG16", () => {
  assert.deepEqual(mobilenet.preprocessing, { kind: 'symmetric' });
  assert.deepEqual(mobilenetV2.preprocessing, { kind: 'symmetric' });
  assert.deepEqual(resnet50.preprocessing, { kind: 'caffe' });
  assert.deepEqual(vgg16.preprocessing, { kind: 'caffe' });
});

test(`${WEIGHTS_BASE_ENV} moves every URL under a mirror, read at call time`, () => {
  const saved = process.env[WEIGHTS_BASE_ENV];
  try {
    process.env[WEIGHTS_BASE_ENV] = 'http://127.0.0.1:8000/mirror/';
    assert.equal(
      resnet50.weights({ inputSize: 224 }).url,
      'http://127.0.0.1:8000/mirror/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    assert.equal(resnet50.weights({ inputSize: 224 }).fileHash, '4d473c1dd8becc155b73f8504c6f6626');
    assert.equal(
      weightsUrl('https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5'),
      'http://127.0.0.1:8000/mirror/efficientnetb0_notop.h5',
    );
    assert.throws(() => weightsUrl('https://example.com/other/x.h5'), /keras-applications/);
    delete process.env[WEIGHTS_BASE_ENV];
    assert.match(
      vgg16.weights({ inputSize: 224 }).url,
      /^https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/vgg16\//,
    );
  } finally {
    if (saved === undefined) delete process.env[WEIGHTS_BASE_ENV];
    else process.env[WEIGHTS_BASE_ENV] = saved;
  }
});

test('keras-layers: correct_pad and _make_divisible as Keras computes them', () => {
  assert.deepEqual(correctPad(kerasInput(224), 3), [
    [0, 1],
    [0, 1],
  ]);
  assert.deepEqual(correctPad(kerasInput(33), 3), [
    [1, 1],
    [1, 1],
  ]);
  assert.deepEqual(correctPad(kerasInput(224), 5), [
    [1, 2],
    [1, 2],
  ]);
  assert.equal(makeDivisible(32 * 1.4), 48);
  assert.equal(makeDivisible(32 * 0.35), 16);
  assert.equal(makeDivisible(1280 * 1.3), 1664);
  assert.equal(makeDivisible(10, 8), 16); // 8 would be a 20 % cut
});

after(() => {
  assert.equal(tf.memory().numTensors, 0, 'every model built here was disposed');
});
