import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { splitBackbone } from '../../../../src-training/backbones/split';
import type { Backbone } from '../../../../src-training/backbones/load';
import type { BackboneEntry } from '../../../../src-node-shared/backbones/registry';
import { buildHead } from '../../../../src-training/head';
import { HeadSpec } from '../../../../src-shared/head-spec';
import { convertToOnnx } from '../../../../src-training/onnx/tfjs-to-onnx';
import { onnx } from '../../../../src-node-shared/onnx/graph';
import { openOnnx } from '../../../../src-node-shared/onnx/runtime';
import { compareWithOrt, opTypes, randomizeWeights, relativeDiff, seeded } from './compare';

type Sym = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

before(async () => {
  await selectBackend({ prefer: 'cpu' });
});

/** Three blocks of conv-bn-relu, the middle one residual: a backbone small enough to split. */
function tinyBackbone(size: number): Backbone {
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  const block = (x: Sym, i: number, strides: number): Sym => {
    const c = apply(
      tf.layers.conv2d({ name: `b${i}_conv`, filters: 8, kernelSize: 3, strides, padding: 'same', useBias: false }),
      x,
    );
    return apply(
      tf.layers.reLU({ name: `b${i}_out`, maxValue: 6 }),
      apply(tf.layers.batchNormalization({ name: `b${i}_bn` }), c),
    );
  };
  const b1 = block(input, 1, 2);
  const b2 = apply(tf.layers.add({ name: 'b2_add' }), [b1, block(b1, 2, 1)]);
  const b3 = block(b2, 3, 2);
  const features = tf.model({ inputs: input, outputs: b3, name: 'tiny' });
  randomizeWeights(features, 5);
  const entry = {
    id: 'tiny',
    blocks: [
      { name: 'b1', lastLayer: 'b1_out' },
      { name: 'b2', lastLayer: 'b2_add' },
      { name: 'b3', lastLayer: 'b3_out' },
    ],
  } as unknown as BackboneEntry;
  const [, h, w, c] = b3.shape as number[];
  return { entry, inputSize: size, features, featureShape: [h!, w!, c!], hash: 'test' };
}

test('a conv read only by its BatchNorm absorbs it; a conv read twice keeps a BatchNormalization node', () => {
  const input = tf.input({ shape: [9, 9, 3] });
  const c1 = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: false }), input);
  const folded = apply(tf.layers.batchNormalization({}), c1);
  const c2 = apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), folded);
  const kept = apply(tf.layers.batchNormalization({}), c2);
  const model = tf.model({ inputs: input, outputs: apply(tf.layers.add(), [kept, c2]) });
  const ops = opTypes(convertToOnnx(model));
  assert.deepEqual(ops.filter((o) => o === 'BatchNormalization').length, 1);
  assert.deepEqual(ops.filter((o) => o === 'Conv').length, 2);
  // NHWC in, NCHW inside, NHWC out: exactly two transposes.
  assert.deepEqual(ops.filter((o) => o === 'Transpose').length, 2);
  model.dispose();
});

test('split models that share layer objects export their own graph, and prefix then suffix equals the whole', async () => {
  for (const size of [15, 16]) {
    const backbone = tinyBackbone(size);
    const split1 = splitBackbone(backbone, 1);
    const split2 = splitBackbone(backbone, 2);
    // Every layer after b1 now has three inbound nodes; node 0 is not the suffix's.
    assert.equal(backbone.features.getLayer('b3_conv').inboundNodes.length, 3);
    for (const model of [backbone.features, split1.prefix, split1.suffix, split2.prefix, split2.suffix]) {
      const { diff } = await compareWithOrt(model, 7);
      assert.ok(diff < 1e-4, `${model.name} at ${size}px: relative difference ${diff}`);
    }
    const shape = [2, size, size, 3];
    const x = seeded(
      shape.reduce((a, b) => a * b, 1),
      3,
    );
    const [whole, prefix, suffix] = await Promise.all(
      [backbone.features, split2.prefix, split2.suffix].map((m) => openOnnx(convertToOnnx(m), { threads: 1 })),
    );
    const mid = await prefix!.run(x, shape);
    const composed = await suffix!.run(mid, [2, ...split2.splitShape]);
    assert.ok(relativeDiff(await whole!.run(x, shape), composed) < 1e-6);
    await Promise.all([whole, prefix, suffix].map((s) => s!.dispose()));
    backbone.features.dispose();
  }
});

test("the studio's head (pooling, dense, dropout, batchnorm, softmax, nested Sequential) exports", async () => {
  const specs = [
    {
      pooling: 'avg',
      layers: [
        { kind: 'dense', units: 16, activation: 'relu' },
        { kind: 'dropout', rate: 0.3 },
      ],
    },
    { pooling: 'flatten', layers: [{ kind: 'batchnorm' }, { kind: 'dense', units: 8, activation: 'swish' }] },
    { pooling: 'max', layers: [] },
  ];
  for (const [i, s] of specs.entries()) {
    const head = buildHead(HeadSpec.parse(s), [3, 3, 12], 4, i === 2 ? 'multi' : 'single', { seed: i });
    randomizeWeights(head.full, i + 11);
    const { diff, shape } = await compareWithOrt(head.full, 9);
    assert.deepEqual(shape, [2, 4]);
    assert.ok(diff < 1e-4, `${s.pooling}: relative difference ${diff}`);
    head.full.dispose();
  }
});

test('an unsupported layer is named with its class', () => {
  const input = tf.input({ shape: [8, 8, 3] });
  const up = apply(tf.layers.upSampling2d({ size: [2, 2], name: 'grow' }), input);
  const model = tf.model({ inputs: input, outputs: up });
  assert.throws(() => convertToOnnx(model), /layer grow of class UpSampling2D is not supported/);
  const fused = tf.model({
    inputs: input,
    outputs: apply(tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'mish', name: 'odd' }), input),
  });
  assert.throws(() => convertToOnnx(fused), /activation 'mish' of layer odd is not supported/);
});

test('names, metadata and opset are written; the batch dimension stays free', async () => {
  const input = tf.input({ shape: [6, 6, 2] });
  const model = tf.model({
    inputs: input,
    outputs: apply(tf.layers.globalAveragePooling2d({ name: 'features' }), input),
  });
  assert.throws(() => convertToOnnx(model, { opset: 12 }), /opset 12 is not supported/);
  const bytes = convertToOnnx(model, {
    name: 'g',
    inputName: 'pixels',
    outputName: 'features',
    metadata: { backbone: 'tiny', inputSize: '6' },
    opset: 15,
  });
  const proto = onnx.ModelProto.decode(bytes);
  assert.equal(proto.graph!.name, 'g');
  assert.equal(Number(proto.opsetImport![0]!.version), 15);
  assert.deepEqual(
    proto.metadataProps!.map((p) => [p.key, p.value]),
    [
      ['backbone', 'tiny'],
      ['inputSize', '6'],
    ],
  );
  assert.equal(proto.graph!.input![0]!.name, 'pixels');
  assert.equal(proto.graph!.output![0]!.name, 'features');
  const session = await openOnnx(bytes, { threads: 1 });
  for (const batch of [1, 3]) {
    const x = seeded(batch * 72, batch);
    const got = await session.run(x, [batch, 6, 6, 2]);
    const want = tf.tidy(() => (model.predict(tf.tensor(x, [batch, 6, 6, 2])) as tf.Tensor).dataSync());
    assert.equal(got.length, batch * 2);
    assert.ok(relativeDiff(want, got) < 1e-6);
  }
  await session.dispose();
});
