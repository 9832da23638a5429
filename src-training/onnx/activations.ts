// tfjs activation functions as ONNX nodes, whether they come from an Activation layer,
// a ReLU/Softmax layer or the `activation` of a Conv2D or Dense.
import type { GraphBuilder } from '../../src-node-shared/onnx/graph';
import { storedAxis } from './layout';
import type { Value } from './layout';

/** Clip takes its bounds as inputs since opset 11. */
export function clip(g: GraphBuilder, input: string, min: number, max: number | null, base: string): string {
  const inputs = [input, g.scalar(`${base}/min`, min)];
  if (max != null) inputs.push(g.scalar(`${base}/max`, max));
  return g.node('Clip', inputs, base);
}

export function softmax(g: GraphBuilder, v: Value, axis: number, base: string): string {
  return g.node('Softmax', [v.name], base, { axis: storedAxis(axis, v.shape.length) });
}

const simple: Record<string, string> = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  elu: 'Elu',
  selu: 'Selu',
  softplus: 'Softplus',
  softsign: 'Softsign',
  hardSigmoid: 'HardSigmoid',
};

/** Applies a tfjs activation (by its serialized name) to the value; returns the result's name. */
export function activation(g: GraphBuilder, v: Value, name: string, base: string, owner: string): string {
  if (name === 'linear') return v.name;
  if (simple[name]) return g.node(simple[name]!, [v.name], base);
  if (name === 'relu6') return clip(g, v.name, 0, 6, base);
  if (name === 'swish') return g.node('Mul', [v.name, g.node('Sigmoid', [v.name], `${base}/sigmoid`)], base);
  if (name === 'softmax') return softmax(g, v, -1, base);
  throw new Error(`onnx export: activation '${name}' of layer ${owner} is not supported`);
}
