// Convolutions and BatchNormalization. Kernels go from tfjs' HWIO to ONNX's OIHW; a
// BatchNormalization that reads a convolution nobody else reads is folded into that
// convolution's weights, the usual inference-time rewrite, so it costs nothing.
import type * as tf from '@tensorflow/tfjs';
import { activation } from './activations';
import { config, namedWeights, pair, spatialAttrs, storedAxis, weight } from './layout';
import type { Converter, Ctx, Value } from './layout';

/** [kh, kw, in, out] (tfjs) -> [out, in, kh, kw] (ONNX). */
export function hwioToOihw(data: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh!; y++) {
    for (let x = 0; x < kw!; x++) {
      for (let i = 0; i < ci!; i++) {
        const src = ((y * kw! + x) * ci! + i) * co!;
        for (let o = 0; o < co!; o++) out[((o * ci! + i) * kh! + y) * kw! + x] = data[src + o]!;
      }
    }
  }
  return out;
}

interface ConvSpec {
  kernel: { data: Float32Array; shape: number[] };
  bias: Float32Array | null;
  group: number;
  spatial: Record<string, number[] | string>;
}

function emitConv(ctx: Ctx, input: string, spec: ConvSpec, base: string): string {
  const { g } = ctx;
  const [, , ci, co] = spec.kernel.shape;
  const weightName = g.floats(`${base}/W`, hwioToOihw(spec.kernel.data, spec.kernel.shape), [
    co!,
    ci!,
    spec.kernel.shape[0]!,
    spec.kernel.shape[1]!,
  ]);
  const biasName = spec.bias ? g.floats(`${base}/B`, spec.bias, [co!]) : null;
  const out = g.node('Conv', biasName ? [input, weightName, biasName] : [input, weightName], base, {
    ...spec.spatial,
    group: spec.group,
  });
  ctx.foldable.set(out, { weight: weightName, bias: biasName, node: g.nodes[g.nodes.length - 1]! });
  return out;
}

function convAttrs(layer: tf.layers.Layer, input: Value): { spatial: Record<string, number[] | string>; act: string } {
  const c = config(layer);
  const kernel = pair(c.kernelSize);
  const dilations = pair(c.dilationRate ?? 1);
  if (c.dataFormat && c.dataFormat !== 'channelsLast')
    throw new Error(
      `onnx export: layer ${layer.name} (${layer.getClassName()}) is channelsFirst, which is not supported`,
    );
  const spatial = { ...spatialAttrs(input, kernel, pair(c.strides ?? 1), dilations, String(c.padding)), dilations };
  return { spatial, act: String(c.activation ?? 'linear') };
}

function finish(ctx: Ctx, layer: tf.layers.Layer, input: Value, convOut: string, act: string): string {
  if (act !== 'linear') ctx.foldable.delete(convOut);
  return activation(ctx.g, { ...input, name: convOut }, act, `${layer.name}/${act}`, layer.name);
}

export const conv2d: Converter = (ctx, layer, [input]) => {
  const w = namedWeights(layer);
  const { spatial, act } = convAttrs(layer, input!);
  const bias = w.get('bias')?.data ?? null;
  const out = emitConv(ctx, input!.name, { kernel: weight(layer, w, 'kernel'), bias, group: 1, spatial }, layer.name);
  return finish(ctx, layer, input!, out, act);
};

/** tfjs' [kh, kw, in, multiplier] kernel read as [kh, kw, 1, in*multiplier]: ONNX's grouped layout. */
function depthwiseKernel(k: { data: Float32Array; shape: number[] }): { data: Float32Array; shape: number[] } {
  const [kh, kw, ci, m] = k.shape;
  return { data: k.data, shape: [kh!, kw!, 1, ci! * m!] };
}

export const depthwiseConv2d: Converter = (ctx, layer, [input]) => {
  const w = namedWeights(layer);
  const { spatial, act } = convAttrs(layer, input!);
  const kernel = weight(layer, w, 'depthwise_kernel');
  const bias = w.get('bias')?.data ?? null;
  const out = emitConv(
    ctx,
    input!.name,
    { kernel: depthwiseKernel(kernel), bias, group: kernel.shape[2]!, spatial },
    layer.name,
  );
  return finish(ctx, layer, input!, out, act);
};

export const separableConv2d: Converter = (ctx, layer, [input]) => {
  const w = namedWeights(layer);
  const { spatial, act } = convAttrs(layer, input!);
  const dw = weight(layer, w, 'depthwise_kernel');
  const mid = emitConv(
    ctx,
    input!.name,
    { kernel: depthwiseKernel(dw), bias: null, group: dw.shape[2]!, spatial },
    `${layer.name}/depthwise`,
  );
  ctx.foldable.delete(mid);
  const pointwise = { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0] };
  const bias = w.get('bias')?.data ?? null;
  const out = emitConv(
    ctx,
    mid,
    { kernel: weight(layer, w, 'pointwise_kernel'), bias, group: 1, spatial: pointwise },
    layer.name,
  );
  return finish(ctx, layer, input!, out, act);
};

interface BnParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

function bnParams(layer: tf.layers.Layer): BnParams {
  const w = namedWeights(layer);
  const mean = weight(layer, w, 'moving_mean').data;
  const c = config(layer);
  return {
    // scale=false / center=false: Keras leaves the weight out, meaning gamma 1 / beta 0.
    gamma: c.scale === false ? new Float32Array(mean.length).fill(1) : weight(layer, w, 'gamma').data,
    beta: c.center === false ? new Float32Array(mean.length) : weight(layer, w, 'beta').data,
    mean,
    variance: weight(layer, w, 'moving_variance').data,
    epsilon: Number(c.epsilon ?? 1e-3),
  };
}

/** Rewrites the convolution's weights and bias (computed in float64) to include the normalization. */
function fold(ctx: Ctx, convOut: string, p: BnParams, base: string): void {
  const f = ctx.foldable.get(convOut)!;
  const W = ctx.g.weights(f.weight);
  const channels = p.mean.length;
  const per = W.length / channels;
  let bias = f.bias ? ctx.g.weights(f.bias) : null;
  if (!bias) {
    f.bias = ctx.g.floats(`${base}/B`, new Float32Array(channels), [channels]);
    f.node.input!.push(f.bias);
    bias = ctx.g.weights(f.bias);
  }
  for (let o = 0; o < channels; o++) {
    const s = p.gamma[o]! / Math.sqrt(p.variance[o]! + p.epsilon);
    for (let k = o * per; k < (o + 1) * per; k++) W[k] = W[k]! * s;
    bias[o] = (bias[o]! - p.mean[o]!) * s + p.beta[o]!;
  }
  ctx.foldable.delete(convOut);
}

export const batchNormalization: Converter = (ctx, layer, [input]) => {
  const p = bnParams(layer);
  const axis = storedAxis(Number(config(layer).axis ?? -1), input!.shape.length);
  const { g } = ctx;
  if (axis === 1 && input!.readers === 1 && ctx.foldable.has(input!.name)) {
    fold(ctx, input!.name, p, layer.name);
    return input!.name;
  }
  const n = p.mean.length;
  if (axis !== 1)
    throw new Error(
      `onnx export: layer ${layer.name} (BatchNormalization) normalizes axis ${String(config(layer).axis)} of a rank-${input!.shape.length} input; only the channel axis is supported`,
    );
  const inputs = [
    input!.name,
    g.floats(`${layer.name}/gamma`, p.gamma, [n]),
    g.floats(`${layer.name}/beta`, p.beta, [n]),
  ];
  inputs.push(g.floats(`${layer.name}/mean`, p.mean, [n]), g.floats(`${layer.name}/var`, p.variance, [n]));
  return g.node('BatchNormalization', inputs, layer.name, { epsilon: { float: p.epsilon } });
};
