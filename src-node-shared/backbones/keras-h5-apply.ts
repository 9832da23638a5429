// Puts a Keras weight file's values into a tfjs model built from code, by Keras' rule for
// legacy .h5 files: the model's layers with weights pair in order with the file's layers
// with weights (names are not trusted: Keras auto-names layers), and within a layer the
// weights pair in order, trainable first. Keras 3's .weights.h5 pairs by path instead
// (`layers/<snake_case class>_<n>`), as saving_lib does. Everything is checked before any
// value is written, so a file that does not fit leaves the model as it was.
import * as tf from '@tensorflow/tfjs';
import type { KerasH5, KerasH5Layer } from './keras-h5-read';
import { DamagedWeightsError, layerValueProblems } from './keras-h5-values';

export interface AppliedWeights {
  layers: number;
  tensors: number;
  params: number;
}

interface Pair {
  layer: tf.layers.Layer;
  file: KerasH5Layer;
}

const fmt = (shape: readonly (number | null)[]): string => `[${shape.join(',')}]`;

/** The variable's own name (`kernel`, `moving_mean`), without the layer scope. */
function weightName(v: tf.LayerVariable): string {
  return v.originalName.split('/').pop()!;
}

/** keras.src.utils.naming.to_snake_case, which names a layer's place in a .weights.h5. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The path Keras 3 saves each of the model's layers under (saving_lib._save_container_state). */
export function kerasLayerPaths(model: tf.LayersModel): string[] {
  const used = new Map<string, number>();
  return model.layers.map((layer) => {
    const base = toSnakeCase(layer.getClassName());
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return `layers/${n === undefined ? base : `${base}_${n + 1}`}`;
  });
}

function weighted(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.weights.length > 0);
}

function pairByOrder(model: tf.LayersModel, file: KerasH5): { pairs: Pair[]; problems: string[] } {
  const layers = weighted(model);
  if (layers.length === file.layers.length)
    return { pairs: layers.map((layer, i) => ({ layer, file: file.layers[i]! })), problems: [] };
  const inFile = new Set(file.layers.map((l) => l.name));
  const inModel = new Set(layers.map((l) => l.name));
  const onlyModel = layers.filter((l) => !inFile.has(l.name)).map((l) => l.name);
  const onlyFile = file.layers.filter((l) => !inModel.has(l.name)).map((l) => l.name);
  const problem =
    `the model has ${layers.length} layers with weights but the file has ${file.layers.length}` +
    (onlyModel.length ? `; only in the model: ${list(onlyModel)}` : '') +
    (onlyFile.length ? `; only in the file: ${list(onlyFile)}` : '');
  return { pairs: [], problems: [problem] };
}

function list(names: string[]): string {
  return names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ');
}

function pairByPath(model: tf.LayersModel, file: KerasH5): { pairs: Pair[]; problems: string[] } {
  const byPath = new Map(file.layers.map((l) => [l.path ?? l.name, l]));
  const pairs: Pair[] = [];
  const problems: string[] = [];
  kerasLayerPaths(model).forEach((path, i) => {
    const layer = model.layers[i]!;
    const found = byPath.get(path);
    byPath.delete(path);
    if (found) pairs.push({ layer, file: found });
    else if (layer.weights.length > 0) problems.push(`layer ${layer.name}: no weights at ${path} in the file`);
  });
  for (const [path, l] of byPath) problems.push(`the file's ${path} (${l.name}) matches no layer of the model`);
  return { pairs, problems };
}

function checkPair({ layer, file }: Pair): string[] {
  const head = `layer ${layer.name} (file: ${file.name})`;
  const vars = layer.weights;
  if (vars.length !== file.weights.length) {
    return [
      `${head}: ${vars.length} weights in the model (${vars.map(weightName).join(', ')}) but ${file.weights.length} in the file (${file.weights.map((w) => w.name).join(', ')})`,
    ];
  }
  const problems: string[] = [];
  vars.forEach((v, i) => {
    const w = file.weights[i]!;
    const same = v.shape.length === w.shape.length && v.shape.every((d, k) => d === w.shape[k]);
    if (!same)
      problems.push(`${head}: ${weightName(v)} is ${fmt(v.shape)} in the model but ${fmt(w.shape)} in the file`);
  });
  return problems;
}

function refusal(model: tf.LayersModel, where: string, problems: string[]): Error {
  return new Error(
    `The Keras weights in ${where} do not fit model ${model.name} (nothing was loaded):\n- ${problems.join('\n- ')}\n` +
      'The file must come from the same architecture with the same options: check the architecture, ' +
      'its width multiplier (alpha) and include_top (these loaders expect weights without the top).',
  );
}

/**
 * Loads `file` into `model` by Keras' rule, or throws one Error listing every mismatch
 * (`where` names the file in it), or a DamagedWeightsError when the shapes fit but values
 * are impossible. On any error the model keeps its previous weights.
 */
export function applyKerasWeights(model: tf.LayersModel, file: KerasH5, where: string): AppliedWeights {
  const { pairs, problems } = file.layout === 'keras3-weights' ? pairByPath(model, file) : pairByOrder(model, file);
  problems.push(...pairs.flatMap(checkPair));
  if (problems.length > 0) throw refusal(model, where, problems);
  const damage = pairs.flatMap(({ layer, file: f }) =>
    layerValueProblems(`layer ${layer.name} (file: ${f.name})`, layer.weights.map(weightName), f),
  );
  if (damage.length > 0) throw new DamagedWeightsError(where, damage);
  let tensors = 0;
  let params = 0;
  for (const { layer, file: f } of pairs) {
    layer.weights.forEach((v, i) => {
      const w = f.weights[i]!;
      // The variable keeps its own reference to the data; tidy releases ours.
      tf.tidy(() => {
        v.write(tf.tensor(w.values, w.shape, 'float32'));
      });
      tensors += 1;
      params += w.values.length;
    });
  }
  return { layers: pairs.length, tensors, params };
}
