// A test helper: the nsfwjs parity tests load nsfwjs' published weights into the architectures
// built from code. The product loads Keras .h5 files instead (src-node-shared/backbones/keras-weights.ts).
// Sets a built network's weights from a name -> tensor map (tf.io.decodeWeights of a tfjs
// layers model, say). Names are the weights' original Keras names (`Conv1/kernel`), not
// the uniquified variable names tfjs gives a second model built in the same process.
import type * as tf from '@tensorflow/tfjs';

export interface CopyReport {
  /** Weight names set, in the model's order. */
  copied: string[];
  /** The model's weights absent from the map; their layers were left as they were. */
  missing: string[];
  /** Entries of the map the model has no weight for. */
  unused: string[];
}

/**
 * Copies every layer whose weights are all in `named`; a shape mismatch throws, naming
 * the weight, since it means the two networks are not the same architecture.
 */
export function copyWeightsByName(model: tf.LayersModel, named: tf.NamedTensorMap): CopyReport {
  const report: CopyReport = { copied: [], missing: [], unused: [] };
  const used = new Set<string>();
  for (const layer of model.layers) {
    const names = layer.weights.map((w) => w.originalName);
    const values = names.map((n) => named[n]);
    layer.weights.forEach((w, i) => {
      const v = values[i];
      if (v && v.shape.join('x') !== w.shape.join('x')) {
        throw new Error(
          `weight ${names[i]}: the model's shape is [${w.shape.join(', ')}], the source's [${v.shape.join(', ')}]`,
        );
      }
    });
    const absent = names.filter((_, i) => !values[i]);
    report.missing.push(...absent);
    if (names.length === 0 || absent.length > 0) continue;
    layer.setWeights(values as tf.Tensor[]);
    names.forEach((n) => used.add(n));
    report.copied.push(...names);
  }
  report.unused = Object.keys(named).filter((n) => !used.has(n));
  return report;
}
