import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { Normalization } from '../../../../src-node-shared/backbones/arch/efficientnet';
import { compareWithOrt, randomizeWeights } from './compare';

type Sym = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;
const TOL = 1e-4;

before(async () => {
  await selectBackend({ prefer: 'cpu' });
});

/** Builds `body` on an input of side `size`, randomises it, and compares tfjs with ORT. */
async function check(
  name: string,
  size: number,
  channels: number,
  body: (x: Sym) => Sym,
  seed = 1,
): Promise<Uint8Array> {
  const input = tf.input({ shape: [size, size, channels], name: 'image' });
  const model = tf.model({ inputs: input, outputs: body(input), name });
  randomizeWeights(model, seed);
  const { diff, bytes } = await compareWithOrt(model, seed + 100);
  assert.ok(diff < TOL, `${name} at ${size}px: relative difference ${diff}`);
  model.dispose();
  return bytes;
}

const bodies: Record<string, (x: Sym) => Sym> = {
  'conv same stride 2, bias, fused relu': (x) =>
    apply(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), x),
  'conv 5x5 same stride 2, no bias, fused relu6': (x) =>
    apply(
      tf.layers.conv2d({ filters: 4, kernelSize: 5, strides: 2, padding: 'same', useBias: false, activation: 'relu6' }),
      x,
    ),
  'conv valid stride 2 then 1x1 fused sigmoid': (x) =>
    apply(
      tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'sigmoid' }),
      apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid' }), x),
    ),
  'conv dilation 2 same and valid': (x) =>
    apply(
      tf.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'valid' }),
      apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' }), x),
    ),
  'depthwise multiplier 2 stride 2 same, then valid': (x) =>
    apply(
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'valid', useBias: false }),
      apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 }), x),
    ),
  'separable stride 2 same, multiplier 2, fused tanh': (x) =>
    apply(
      tf.layers.separableConv2d({
        filters: 5,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        depthMultiplier: 2,
        activation: 'tanh',
      }),
      x,
    ),
  'conv + folded batchnorm + ReLU(6)': (x) =>
    apply(
      tf.layers.reLU({ maxValue: 6 }),
      apply(
        tf.layers.batchNormalization({ epsilon: 1e-3 }),
        apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), x),
      ),
    ),
  'depthwise + folded batchnorm (scale=false), separable + batchnorm (center=false)': (x) => {
    const d = apply(
      tf.layers.batchNormalization({ scale: false }),
      apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }), x),
    );
    return apply(
      tf.layers.batchNormalization({ center: false, epsilon: 1.001e-5 }),
      apply(tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same' }), d),
    );
  },
  'batchnorm on a conv read twice, and after an add': (x) => {
    const c = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), x);
    const bn = apply(tf.layers.batchNormalization({}), c);
    return apply(tf.layers.batchNormalization({}), apply(tf.layers.add(), [bn, c]));
  },
  'batchnorm behind a dropout on a conv that another layer reads too': (x) => {
    const c = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), x);
    const bn = apply(tf.layers.batchNormalization({}), apply(tf.layers.dropout({ rate: 0.2 }), c));
    return apply(tf.layers.add(), [bn, c]);
  },
  'activations: relu, relu6, swish, sigmoid, tanh, linear, softmax, ReLU, Softmax': (x) => {
    let y = x;
    for (const a of ['relu', 'linear', 'swish', 'relu6', 'tanh', 'sigmoid'] as const)
      y = apply(tf.layers.activation({ activation: a }), apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), y));
    const s1 = apply(
      tf.layers.activation({ activation: 'softmax' }),
      apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), y),
    );
    const s2 = apply(tf.layers.softmax({ axis: -1 }), apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), y));
    return apply(tf.layers.concatenate(), [s1, s2, apply(tf.layers.reLU({}), y)]);
  },
  'zero padding (asymmetric) then valid stride-2 conv': (x) =>
    apply(
      tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2 }),
      apply(
        tf.layers.zeroPadding2d({
          padding: [
            [0, 1],
            [1, 2],
          ],
        }),
        x,
      ),
    ),
  'max and average pooling, same and valid': (x) => {
    const a = apply(tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x);
    const m = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x);
    const s = apply(tf.layers.add(), [a, m]);
    const valid = [
      apply(tf.layers.maxPooling2d({ poolSize: 2, padding: 'valid' }), s),
      apply(tf.layers.averagePooling2d({ poolSize: 2, padding: 'valid' }), s),
    ];
    return apply(tf.layers.concatenate({ axis: 3 }), valid);
  },
  'squeeze-excite: global pool, reshape, multiply, rescaling, normalization': (x) => {
    const n = apply(new Normalization({ axis: -1 }), apply(tf.layers.rescaling({ scale: 1 / 255, offset: -0.5 }), x));
    const c = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'swish' }), n);
    const se = apply(tf.layers.reshape({ targetShape: [1, 1, 8] }), apply(tf.layers.globalAveragePooling2d({}), c));
    const gate = apply(
      tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'sigmoid' }),
      apply(tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'swish' }), se),
    );
    return apply(tf.layers.multiply(), [c, gate]);
  },
  'global max pool, dense, dropout, concatenate 2-D, softmax': (x) => {
    const g = apply(
      tf.layers.globalMaxPooling2d({}),
      apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2 }), x),
    );
    const d = apply(tf.layers.dropout({ rate: 0.5 }), apply(tf.layers.dense({ units: 7, activation: 'relu' }), g));
    return apply(tf.layers.dense({ units: 4, activation: 'softmax' }), apply(tf.layers.concatenate(), [g, d]));
  },
  'dense on a feature map, maximum, minimum, average, reshape to a vector': (x) => {
    const a = apply(tf.layers.dense({ units: 4, activation: 'tanh' }), x);
    const b = apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), x);
    const merged = [tf.layers.maximum(), tf.layers.minimum(), tf.layers.average()].map((l) => apply(l, [a, b]));
    return apply(tf.layers.reshape({ targetShape: [-1] }), apply(tf.layers.concatenate(), merged));
  },
  'flatten keeps tfjs channels-last order before a dense': (x) =>
    apply(
      tf.layers.dense({ units: 5, useBias: false }),
      apply(tf.layers.flatten(), apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 4 }), x)),
    ),
};

for (const [name, body] of Object.entries(bodies)) {
  test(`${name}: ONNX Runtime matches tfjs at 15 and 16 px`, async () => {
    await check(name, 15, 3, body);
    await check(name, 16, 3, body, 2);
  });
}
