// Layout rules of the exported graph. tfjs holds images NHWC; ONNX's Conv and pooling
// want NCHW. Every rank-4 value inside the graph is therefore stored NCHW (one Transpose
// after the input, one before a 4-D output or a layer that reads NHWC order, such as
// Flatten), and every other rank is stored as tfjs has it.
import type * as tf from '@tensorflow/tfjs';
import type { GraphBuilder, INodeProto } from '../../src-node-shared/onnx/graph';

export type Dims = Array<number | null>;

export interface Value {
  /** The ONNX value name. */
  name: string;
  /** The tfjs (channels-last) shape; rank 4 means the ONNX value is NCHW. */
  shape: Dims;
  /** How many layers (and graph outputs) read it: a convolution read once may absorb a BatchNorm. */
  readers: number;
}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

/** A tfjs axis (channels-last, negative from the end) as an axis of the stored value. */
export function storedAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`onnx export: axis ${axis} is out of range for rank ${rank}`);
  return rank === 4 ? NHWC_TO_NCHW.indexOf(a) : a;
}

/** The value in channels-last order, as tfjs would hold it. */
export function toNhwc(g: GraphBuilder, v: Value, name: string): string {
  return v.shape.length === 4 ? g.node('Transpose', [v.name], `${name}/to_nhwc`, { perm: NCHW_TO_NHWC }) : v.name;
}

/** A channels-last result of rank 4 brought back to the stored NCHW layout. */
export function fromNhwc(g: GraphBuilder, name: string, rank: number, base: string): string {
  return rank === 4 ? g.node('Transpose', [name], `${base}/to_nchw`, { perm: NHWC_TO_NCHW }) : name;
}

/**
 * TensorFlow's 'same' padding as explicit ONNX pads [top, left, bottom, right]: the
 * odd pixel goes at the end. Null when an input side is unknown (the caller then uses
 * auto_pad SAME_UPPER, which is the same rule computed at run time).
 */
export function samePads(inHW: Dims, kernel: number[], strides: number[], dilation: number[]): number[] | null {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < 2; i++) {
    const size = inHW[i];
    if (size == null) return null;
    const s = strides[i]!;
    const total = Math.max((Math.ceil(size / s) - 1) * s + (kernel[i]! - 1) * dilation[i]! + 1 - size, 0);
    starts.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  }
  return [...starts, ...ends];
}

export interface SpatialAttrs {
  kernel_shape: number[];
  strides: number[];
  pads?: number[];
  auto_pad?: string;
}

/** Kernel, stride and padding attributes of a convolution or pooling over the value. */
export function spatialAttrs(
  input: Value,
  kernel: number[],
  strides: number[],
  dilation: number[],
  padding: string,
): SpatialAttrs {
  const base = { kernel_shape: kernel, strides };
  if (padding === 'valid') return { ...base, pads: [0, 0, 0, 0] };
  if (padding !== 'same') throw new Error(`onnx export: padding '${padding}' is not supported`);
  const pads = samePads(input.shape.slice(1, 3), kernel, strides, dilation);
  return pads ? { ...base, pads } : { ...base, auto_pad: 'SAME_UPPER' };
}

/** A layer's weights by Keras name ('kernel', 'bias', 'gamma', ...), read as float32. */
export function namedWeights(layer: tf.layers.Layer): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const w of layer.weights) {
    // originalName, since `name` gets a _N suffix when another model holds a same-named variable.
    const key = w.originalName.split('/').pop()!.replace(/:\d+$/, '');
    // sync-read-ok: on WebGPU the caller fetches every weight first (frozen.ts onnxFor).
    out.set(key, { data: w.read().dataSync() as Float32Array, shape: w.shape.map(Number) });
  }
  return out;
}

export function weight(
  layer: tf.layers.Layer,
  weights: ReturnType<typeof namedWeights>,
  key: string,
): { data: Float32Array; shape: number[] } {
  const w = weights.get(key);
  if (!w)
    throw new Error(
      `onnx export: layer ${layer.name} (${layer.getClassName()}) has no weight '${key}' (has ${[...weights.keys()].join(', ')})`,
    );
  return w;
}

export function pair(v: unknown): number[] {
  return Array.isArray(v) ? v.map(Number) : [Number(v), Number(v)];
}

/** A convolution whose weights a following BatchNormalization may rewrite. */
export interface Foldable {
  weight: string;
  bias: string | null;
  node: INodeProto;
}

export interface Ctx {
  g: GraphBuilder;
  /** Convolutions without activation, by output value name. */
  foldable: Map<string, Foldable>;
}

/** Emits the ONNX nodes of one layer call; returns the name of its (single) output. */
export type Converter = (ctx: Ctx, layer: tf.layers.Layer, inputs: Value[]) => string;

/** A layer's config, typed loosely: each converter reads the keys it knows. */
export function config(layer: tf.layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}
