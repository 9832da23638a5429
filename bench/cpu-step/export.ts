// Writes the phase-2 model (suffix + head) as a small graph and one float32 file, for the
// PyTorch side of bench/cpu-step: each layer with its kind, inputs, settings and weights in
// Keras' layout. Only what MobileNet-style suffixes use is described; anything else throws,
// so the two sides never silently compute different things.
import type * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Phase2 } from './model';

interface Node {
  name: string;
  kind: 'conv' | 'depthwise' | 'batchnorm' | 'relu' | 'add' | 'avgpool' | 'dense';
  inputs: string[];
  config: Record<string, unknown>;
  trainable: boolean;
  /** weight name -> [offset in floats, shape] */
  weights: Record<string, [number, number[]]>;
}

interface SymLike {
  sourceLayer: tf.layers.Layer;
}

function inputsOf(layer: tf.layers.Layer, splitLayer: string): string[] {
  const node = layer.inboundNodes[0] as unknown as { inputTensors: SymLike[] };
  return node.inputTensors.map((t) => (t.sourceLayer.name === splitLayer ? 'input' : t.sourceLayer.name));
}

function describe(layer: tf.layers.Layer): Pick<Node, 'kind' | 'config'> {
  const c = layer.getConfig() as Record<string, unknown>;
  const conv = () => {
    if (c.dataFormat !== 'channelsLast' || c.activation !== 'linear')
      throw new Error(`${layer.name}: only channels-last, linear convolutions are exported`);
    return { kernel: c.kernelSize, strides: c.strides, padding: c.padding, bias: c.useBias };
  };
  switch (layer.getClassName()) {
    case 'Conv2D':
      return { kind: 'conv', config: conv() };
    case 'DepthwiseConv2D':
      return { kind: 'depthwise', config: { ...conv(), multiplier: c.depthMultiplier } };
    case 'BatchNormalization':
      return { kind: 'batchnorm', config: { epsilon: c.epsilon } };
    case 'ReLU':
      return { kind: 'relu', config: { max: c.maxValue ?? null } };
    case 'Add':
      return { kind: 'add', config: {} };
    default:
      throw new Error(`${layer.name}: layer ${layer.getClassName()} is not exported to the PyTorch side`);
  }
}

/** Writes graph.json and weights.bin into `dir`. */
export function exportPhase2(p: Phase2, dir: string): void {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const put = (w: tf.LayerVariable): [number, number[]] => {
    const v = w.read().dataSync() as Float32Array;
    chunks.push(v);
    offset += v.length;
    return [offset - v.length, w.shape as number[]];
  };
  const weightsOf = (layer: tf.layers.Layer) =>
    Object.fromEntries(layer.weights.map((w) => [w.originalName.split('/').pop()!, put(w)]));
  const nodes: Node[] = [];
  for (const layer of p.split.suffix.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    nodes.push({
      name: layer.name,
      ...describe(layer),
      inputs: inputsOf(layer, p.split.splitLayer),
      trainable: layer.trainable,
      weights: weightsOf(layer),
    });
  }
  if (p.head.spec.layers.length > 0 || p.head.spec.pooling !== 'avg' || p.head.spec.l2 !== 0)
    throw new Error('only the default head (average pooling, one dense layer, no L2) is exported');
  const last = nodes[nodes.length - 1]!.name;
  nodes.push({ name: 'head_pool', kind: 'avgpool', inputs: [last], config: {}, trainable: false, weights: {} });
  const dense = p.head.top.layers[0]!;
  nodes.push({
    name: dense.name,
    kind: 'dense',
    inputs: ['head_pool'],
    config: {},
    trainable: true,
    weights: weightsOf(dense),
  });
  const all = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  writeFileSync(join(dir, 'graph.json'), JSON.stringify({ nodes }, null, 1));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(all.buffer));
}
