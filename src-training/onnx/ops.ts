// One converter per tfjs layer class the studio's backbones and heads use. Layers that
// are the identity at inference (Dropout and its kin) map to their input.
import { activation, clip, softmax } from './activations';
import { batchNormalization, conv2d, depthwiseConv2d, separableConv2d } from './conv';
import { config, fromNhwc, namedWeights, storedAxis, toNhwc, weight } from './layout';
import type { Converter, Value } from './layout';
import { averagePooling2d, globalAveragePooling2d, globalMaxPooling2d, maxPooling2d, zeroPadding2d } from './pool';

const identity: Converter = (_ctx, _layer, [input]) => input!.name;

const activationLayer: Converter = (ctx, layer, [input]) =>
  activation(ctx.g, input!, String(config(layer).activation), layer.name, layer.name);

const reluLayer: Converter = (ctx, layer, [input]) => {
  const max = config(layer).maxValue;
  return max == null
    ? ctx.g.node('Relu', [input!.name], layer.name)
    : clip(ctx.g, input!.name, 0, Number(max), layer.name);
};

const softmaxLayer: Converter = (ctx, layer, [input]) =>
  softmax(ctx.g, input!, Number(config(layer).axis ?? -1), layer.name);

function sameRank(layerName: string, inputs: Value[]): void {
  const rank = inputs[0]!.shape.length;
  if (inputs.some((v) => v.shape.length !== rank)) {
    throw new Error(
      `onnx export: layer ${layerName} merges inputs of ranks ${inputs.map((v) => v.shape.length).join(', ')}; only equal ranks are supported`,
    );
  }
}

/** A merge layer as a chain of binary ONNX ops (which broadcast as tfjs does at equal rank). */
function merge(op: string, after?: (n: number) => number): Converter {
  return (ctx, layer, inputs) => {
    sameRank(layer.name, inputs);
    let acc = inputs[0]!.name;
    inputs.slice(1).forEach((v, i) => {
      acc = ctx.g.node(op, [acc, v.name], i === inputs.length - 2 && !after ? layer.name : `${layer.name}/${i}`);
    });
    if (!after) return acc;
    return ctx.g.node('Mul', [acc, ctx.g.scalar(`${layer.name}/k`, after(inputs.length))], layer.name);
  };
}

const concatenate: Converter = (ctx, layer, inputs) => {
  sameRank(layer.name, inputs);
  const axis = storedAxis(Number(config(layer).axis ?? -1), inputs[0]!.shape.length);
  return ctx.g.node(
    'Concat',
    inputs.map((v) => v.name),
    layer.name,
    { axis },
  );
};

const flatten: Converter = (ctx, layer, [input]) => {
  // tfjs flattens channels-last order: a Dense after it was trained on that order.
  return ctx.g.node('Flatten', [toNhwc(ctx.g, input!, layer.name)], layer.name, { axis: 1 });
};

const reshape: Converter = (ctx, layer, [input]) => {
  // tfjs writes Keras' -1 (the inferred dimension) as null in its config.
  const target = (config(layer).targetShape as Array<number | null>).map((d) => (d == null ? -1 : Number(d)));
  const shape = ctx.g.int64s(`${layer.name}/shape`, [0, ...target]);
  const out = ctx.g.node('Reshape', [toNhwc(ctx.g, input!, layer.name), shape], `${layer.name}/reshape`);
  return fromNhwc(ctx.g, out, target.length + 1, layer.name);
};

/** Per-channel constant shaped to broadcast against the stored value (NCHW for rank 4). */
function channelConst(ctx: Parameters<Converter>[0], name: string, data: Float32Array, rank: number): string {
  const dims = rank === 4 ? [1, data.length, 1, 1] : [...Array<number>(rank - 1).fill(1), data.length];
  return ctx.g.floats(name, data, dims);
}

/** A number, or (EfficientNet's Rescaling) one per channel as Keras broadcasts it over the last axis. */
function scaleConst(ctx: Parameters<Converter>[0], name: string, v: unknown, rank: number): string {
  return Array.isArray(v)
    ? channelConst(ctx, name, Float32Array.from(v.map(Number)), rank)
    : ctx.g.scalar(name, Number(v));
}

const rescaling: Converter = (ctx, layer, [input]) => {
  const c = config(layer);
  const rank = input!.shape.length;
  const scaled = ctx.g.node(
    'Mul',
    [input!.name, scaleConst(ctx, `${layer.name}/scale`, c.scale, rank)],
    `${layer.name}/scale`,
  );
  return ctx.g.node('Add', [scaled, scaleConst(ctx, `${layer.name}/offset`, c.offset ?? 0, rank)], layer.name);
};

/**
 * The studio's Keras-style Normalization (backbones/arch/efficientnet.ts):
 * y = (x - mean) / max(sqrt(variance), 1e-7), per channel (Keras' backend.epsilon()), the
 * constants folded into one multiply and one add.
 */
const normalization: Converter = (ctx, layer, [input]) => {
  const w = namedWeights(layer);
  const mean = weight(layer, w, 'mean').data;
  const variance = weight(layer, w, 'variance').data;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    scale[i] = 1 / Math.max(Math.sqrt(variance[i]!), 1e-7);
    shift[i] = -mean[i]! * scale[i]!;
  }
  const rank = input!.shape.length;
  const mul = ctx.g.node(
    'Mul',
    [input!.name, channelConst(ctx, `${layer.name}/scale`, scale, rank)],
    `${layer.name}/mul`,
  );
  return ctx.g.node('Add', [mul, channelConst(ctx, `${layer.name}/shift`, shift, rank)], layer.name);
};

const dense: Converter = (ctx, layer, [input]) => {
  const w = namedWeights(layer);
  const kernel = weight(layer, w, 'kernel');
  const bias = w.get('bias');
  const { g } = ctx;
  const rank = input!.shape.length;
  const W = g.floats(`${layer.name}/W`, kernel.data, kernel.shape);
  const B = bias ? g.floats(`${layer.name}/B`, bias.data, bias.shape) : null;
  let out: string;
  if (rank === 2) {
    out = g.node('Gemm', B ? [input!.name, W, B] : [input!.name, W], `${layer.name}/gemm`);
  } else {
    // Dense on a higher rank acts on the last (channel) axis of the tfjs layout.
    out = g.node('MatMul', [toNhwc(g, input!, layer.name), W], `${layer.name}/matmul`);
    if (B) out = g.node('Add', [out, B], `${layer.name}/bias`);
    out = fromNhwc(g, out, rank, layer.name);
  }
  const act = String(config(layer).activation ?? 'linear');
  return activation(g, { ...input!, name: out }, act, `${layer.name}/${act}`, layer.name);
};

export const converters: Record<string, Converter> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  BatchNormalization: batchNormalization,
  Activation: activationLayer,
  ReLU: reluLayer,
  Softmax: softmaxLayer,
  ZeroPadding2D: zeroPadding2d,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  GlobalMaxPooling2D: globalMaxPooling2d,
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Subtract: merge('Sub'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Average: merge('Add', (n) => 1 / n),
  Concatenate: concatenate,
  Flatten: flatten,
  Reshape: reshape,
  Rescaling: rescaling,
  Normalization: normalization,
  Dense: dense,
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};
