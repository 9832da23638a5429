// Exports a tfjs layers model to ONNX, so the frozen backbone can run on ONNX Runtime
// (several times faster than tfjs-wasm on a CPU). The graph is walked from the model's
// outputs back to its inputs through the exact node each symbolic tensor came from:
// the split models of backbones/split.ts reuse layer objects, so a layer's first
// inbound node may belong to another model. Nested models (a head's Sequential) are
// inlined. Input and outputs keep tfjs' NHWC layout; the inside is NCHW (layout.ts).
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder, onnx, valueInfo } from '../../src-node-shared/onnx/graph';
import { NCHW_TO_NHWC, NHWC_TO_NCHW } from './layout';
import type { Ctx, Value } from './layout';
import { converters } from './ops';

export interface OnnxConvertOptions {
  /** The graph's name (default: the model's). */
  name?: string;
  inputName?: string;
  outputName?: string;
  /** Stored in the model's metadata_props (backbone id, input size, preprocessing...). */
  metadata?: Record<string, string>;
  /** 13 to 17; default 13. */
  opset?: number;
}

interface Call {
  layer: tf.layers.Layer;
  inputs: tf.SymbolicTensor[];
  outputs: tf.SymbolicTensor[];
}

/** The layer calls between the model's inputs and outputs, inputs first. */
export function modelCalls(model: tf.LayersModel): Call[] {
  const inputIds = new Set(model.inputs.map((t) => t.id));
  const seen = new Set<unknown>();
  const calls: Call[] = [];
  const visit = (t: tf.SymbolicTensor): void => {
    if (inputIds.has(t.id)) return;
    const node = t.sourceLayer.inboundNodes[t.nodeIndex] as unknown as {
      inputTensors: tf.SymbolicTensor[];
      outputTensors: tf.SymbolicTensor[];
    };
    if (seen.has(node)) return;
    seen.add(node);
    if (node.inputTensors.length === 0) {
      throw new Error(
        `onnx export: model ${model.name} reads ${t.name} from input layer ${t.sourceLayer.name}, which is not one of its inputs`,
      );
    }
    node.inputTensors.forEach(visit);
    calls.push({ layer: t.sourceLayer, inputs: node.inputTensors, outputs: node.outputTensors });
  };
  model.outputs.forEach(visit);
  return calls;
}

function countReaders(model: tf.LayersModel, calls: Call[]): Map<number, number> {
  const readers = new Map<number, number>();
  const read = (t: tf.SymbolicTensor) => readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
  for (const c of calls) c.inputs.forEach(read);
  model.outputs.forEach(read);
  return readers;
}

function convertCall(ctx: Ctx, call: Call, inputs: Value[]): string[] {
  const { layer } = call;
  if (layer instanceof tf.LayersModel) {
    // A value entering or leaving a nested model counts as read twice: no folding across the boundary.
    return emitModel(
      ctx,
      layer,
      inputs.map((v) => ({ ...v, readers: 2 })),
    ).map((v) => v.name);
  }
  const convert = converters[layer.getClassName()];
  if (!convert) {
    throw new Error(
      `onnx export: layer ${layer.name} of class ${layer.getClassName()} is not supported (supported: ${Object.keys(converters).join(', ')})`,
    );
  }
  if (call.outputs.length !== 1)
    throw new Error(
      `onnx export: layer ${layer.name} (${layer.getClassName()}) has ${call.outputs.length} outputs; only single-output layers are supported`,
    );
  const out = convert(ctx, layer, inputs);
  // An identity layer (Dropout, linear Activation) hands on its input's name; a BatchNorm
  // reading it cannot tell whether the convolution behind has other readers: no folding.
  if (inputs.some((v) => v.name === out)) ctx.foldable.delete(out);
  return [out];
}

/** Emits the model's graph given its input values; returns its output values. */
function emitModel(ctx: Ctx, model: tf.LayersModel, inputs: Value[]): Value[] {
  const calls = modelCalls(model);
  const readers = countReaders(model, calls);
  const values = new Map<number, Value>();
  model.inputs.forEach((t, i) => values.set(t.id, inputs[i]!));
  for (const call of calls) {
    const ins = call.inputs.map((t) => values.get(t.id)!);
    const names = convertCall(ctx, call, ins);
    call.outputs.forEach((t, i) =>
      values.set(t.id, { name: names[i]!, shape: t.shape, readers: readers.get(t.id) ?? 0 }),
    );
  }
  return model.outputs.map((t) => ({ ...values.get(t.id)!, readers: 2 }));
}

function ioNames(model: tf.LayersModel, opts: OnnxConvertOptions): { inputs: string[]; outputs: string[] } {
  const name = (base: string, n: number) => Array.from({ length: n }, (_, i) => (n === 1 ? base : `${base}_${i}`));
  return {
    inputs: name(opts.inputName ?? 'input', model.inputs.length),
    outputs: name(opts.outputName ?? 'output', model.outputs.length),
  };
}

export function convertToOnnx(model: tf.LayersModel, opts: OnnxConvertOptions = {}): Uint8Array {
  const opset = opts.opset ?? 13;
  if (!Number.isInteger(opset) || opset < 13 || opset > 17)
    throw new Error(`onnx export: opset ${opset} is not supported; use 13 to 17`);
  const io = ioNames(model, opts);
  const g = new GraphBuilder([...io.inputs, ...io.outputs]);
  const ctx: Ctx = { g, foldable: new Map() };
  const inputs = model.inputs.map((t, i): Value => {
    const name =
      t.shape.length === 4
        ? g.node('Transpose', [io.inputs[i]!], `${io.inputs[i]}/nchw`, { perm: NHWC_TO_NCHW })
        : io.inputs[i]!;
    return { name, shape: t.shape, readers: 2 };
  });
  const outputs = emitModel(ctx, model, inputs);
  outputs.forEach((v, i) => {
    if (v.shape.length === 4) g.node('Transpose', [v.name], io.outputs[i]!, { perm: NCHW_TO_NHWC }, true);
    else g.node('Identity', [v.name], io.outputs[i]!, {}, true);
  });
  const proto = onnx.ModelProto.create({
    // IR 7 introduced opset 13-14, IR 8 opset 15-17.
    irVersion: opset >= 15 ? 8 : 7,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'finetune-studio',
    producerVersion: tf.version.tfjs,
    graph: {
      name: opts.name ?? model.name,
      node: g.nodes,
      initializer: g.tensors(),
      input: model.inputs.map((t, i) => valueInfo(io.inputs[i]!, t.shape)),
      output: model.outputs.map((t, i) => valueInfo(io.outputs[i]!, t.shape)),
    },
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(proto).finish();
}
