// Keras .h5 weight files: reading (keras-h5-read), loading into a model built from code
// (keras-h5-apply), and the summary the CLI and the import dialog show before loading.
import { readKerasH5 } from './keras-h5-read';
import type { KerasH5, KerasH5Layout } from './keras-h5-read';

export { readKerasH5, readSplitAttribute } from './keras-h5-read';
export type { KerasH5, KerasH5Layer, KerasH5Layout, KerasH5Weight } from './keras-h5-read';
export { applyKerasWeights, kerasLayerPaths, toSnakeCase } from './keras-h5-apply';
export type { AppliedWeights } from './keras-h5-apply';

export interface KerasH5Summary {
  path: string;
  kerasVersion: string | null;
  backend: string | null;
  layout: KerasH5Layout;
  /** Layers that hold weights. */
  layers: number;
  tensors: number;
  params: number;
  firstLayer: string | null;
  lastLayer: string | null;
}

export function summarizeKerasH5(path: string, file: KerasH5): KerasH5Summary {
  const weights = file.layers.flatMap((l) => l.weights);
  return {
    path,
    kerasVersion: file.kerasVersion,
    backend: file.backend,
    layout: file.layout,
    layers: file.layers.length,
    tensors: weights.length,
    params: weights.reduce((n, w) => n + w.values.length, 0),
    firstLayer: file.layers[0]?.name ?? null,
    lastLayer: file.layers.at(-1)?.name ?? null,
  };
}

/** What a Keras .h5 holds, for showing before it is loaded into a network. */
export async function inspectKerasH5(path: string): Promise<KerasH5Summary> {
  return summarizeKerasH5(path, await readKerasH5(path));
}
