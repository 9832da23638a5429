// Edits a Keras/tfjs functional-model topology before it is loaded: cut it at the
// feature layer (the network's own pooling and classifier are never built, so another
// input size stays valid) and set the input size.
interface LayerJson {
  class_name: string;
  name?: string;
  config: { name: string; batch_input_shape?: Array<number | null> };
}

interface FunctionalConfig {
  layers: LayerJson[];
  output_layers: Array<[string, number, number]>;
}

/** Keras stores the model under model_config (Keras h5 export) or at the top (tfjs). */
function functionalConfig(topology: unknown, where: string): FunctionalConfig {
  const t = topology as { model_config?: { config?: FunctionalConfig }; config?: FunctionalConfig };
  const cfg = t.model_config?.config ?? t.config;
  if (!cfg || !Array.isArray(cfg.layers))
    throw new Error(`${where}: modelTopology holds no functional model config (layers)`);
  return cfg;
}

export interface TopologyEdit {
  inputSize?: number;
  /** Keep layers up to and including this one; it becomes the only output. */
  truncateAt?: string;
}

export function editTopology(topology: unknown, edit: TopologyEdit, where: string): unknown {
  if (edit.inputSize === undefined && edit.truncateAt === undefined) return topology;
  const copy = structuredClone(topology);
  const cfg = functionalConfig(copy, where);
  if (edit.truncateAt !== undefined) {
    const at = cfg.layers.findIndex((l) => l.config.name === edit.truncateAt);
    if (at < 0)
      throw new Error(
        `${where}: feature layer "${edit.truncateAt}" is not in the model; fix featureLayer in the backbone entry`,
      );
    // Layers are stored in topological order, so everything after the cut feeds only the old top.
    cfg.layers = cfg.layers.slice(0, at + 1);
    cfg.output_layers = [[edit.truncateAt, 0, 0]];
  }
  if (edit.inputSize !== undefined) {
    const input = cfg.layers.find((l) => l.class_name === 'InputLayer')?.config;
    if (!input?.batch_input_shape)
      throw new Error(`${where}: no InputLayer with batch_input_shape; cannot change the input size`);
    input.batch_input_shape = [null, edit.inputSize, edit.inputSize, input.batch_input_shape[3] ?? 3];
  }
  return copy;
}
