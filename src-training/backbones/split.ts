// Phase 2 cuts the backbone after its last frozen block. The prefix runs once per image
// (its activations are cached); only the suffix, rebuilt on a new input sharing the
// same layer objects and weights, runs in every training step.
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from './load';

export interface SplitBackbone {
  /** Name of the layer whose output is cached; null when every block trains. */
  splitLayer: string;
  /** Preprocessed input -> activations at the split. */
  prefix: tf.LayersModel;
  /** Activations at the split -> feature map. */
  suffix: tf.LayersModel;
  splitShape: number[];
  /** The blocks the suffix holds, in order. */
  blocks: string[];
}

interface NodeLike {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

/** Node 0 is the layer's call in the loaded model; later nodes come from earlier splits. */
function originalNode(layer: tf.layers.Layer): NodeLike {
  return layer.inboundNodes[0] as unknown as NodeLike;
}

export function splitBackbone(backbone: Backbone, unfreezeBlocks: number): SplitBackbone {
  const { entry, features } = backbone;
  if (!Number.isInteger(unfreezeBlocks) || unfreezeBlocks < 1 || unfreezeBlocks >= entry.blocks.length) {
    throw new Error(
      `unfreezeBlocks: ${entry.id} has ${entry.blocks.length} named blocks; choose 1..${entry.blocks.length - 1}, got ${unfreezeBlocks}`,
    );
  }
  const cut = entry.blocks[entry.blocks.length - unfreezeBlocks - 1]!;
  const layers = features.layers;
  const at = layers.findIndex((l) => l.name === cut.lastLayer);
  if (at < 0)
    throw new Error(
      `backbone "${entry.id}": block "${cut.name}" ends at "${cut.lastLayer}", which is not in the model`,
    );
  const splitTensor = originalNode(layers[at]!).outputTensors[0]!;
  const input = tf.input({ shape: splitTensor.shape.slice(1) as number[], name: `split_${cut.lastLayer}` });
  const mapped = new Map<number, tf.SymbolicTensor>([[splitTensor.id, input]]);
  for (const layer of layers.slice(at + 1)) {
    const ins = originalNode(layer).inputTensors.map((t) => {
      const m = mapped.get(t.id);
      if (!m)
        throw new Error(
          `backbone "${entry.id}": layer ${layer.name} reads ${t.name} from before the split at ${cut.lastLayer}; that block boundary is not a clean cut`,
        );
      return m;
    });
    const out = layer.apply(ins.length === 1 ? ins[0]! : ins) as tf.SymbolicTensor;
    mapped.set(originalNode(layer).outputTensors[0]!.id, out);
  }
  const featureOut = mapped.get((features.outputs[0] as tf.SymbolicTensor).id)!;
  return {
    splitLayer: cut.lastLayer,
    prefix: tf.model({ inputs: features.inputs, outputs: splitTensor, name: `${entry.id}_prefix` }),
    suffix: tf.model({ inputs: input, outputs: featureOut, name: `${entry.id}_suffix` }),
    splitShape: splitTensor.shape.slice(1) as number[],
    blocks: entry.blocks.slice(-unfreezeBlocks).map((b) => b.name),
  };
}
