// Loads a registry entry into a feature extractor: the network cut at its feature map,
// before its own global pooling and classifier, so the studio's head takes over there.
import * as tf from '@tensorflow/tfjs';
import { checkInputSize } from '../../src-node-shared/backbones/registry';
import type { BackboneEntry } from '../../src-node-shared/backbones/registry';
import { readSource } from '../../src-node-shared/backbones/sources';
import type { SourceOptions } from '../../src-node-shared/backbones/sources';
import { preprocess } from '../../src-node-shared/data/preprocess';
import { installFrozenBatchNormInference } from '../batchnorm';
import { loadKerasBackbone } from '../../src-node-shared/backbones/keras-weights';
import { modelCacheDir } from '../../src-node-shared/backbones/model-cache';

export interface Backbone {
  entry: BackboneEntry;
  inputSize: number;
  /** Input [size, size, 3] preprocessed -> feature map at `entry.featureLayer`. */
  features: tf.LayersModel;
  /** [h, w, c] of the feature map. */
  featureShape: [number, number, number];
  hash: string;
}

export interface LoadOptions extends Omit<SourceOptions, 'inputSize'> {
  inputSize?: number;
  /** The per-user model cache that holds Keras .h5 weights (model-cache.ts). */
  modelCacheDir?: string;
}

export async function loadBackbone(entry: BackboneEntry, opts: LoadOptions = {}): Promise<Backbone> {
  installFrozenBatchNormInference();
  const inputSize = opts.inputSize ?? entry.inputSize;
  checkInputSize(entry, inputSize);
  const { features, hash } =
    entry.source.kind === 'keras'
      ? await loadKeras(entry, inputSize, opts)
      : await loadLayersModel(entry, inputSize, opts);
  const out = features.outputs[0]!;
  // Nothing of the backbone trains unless phase 2 says so, block by block.
  for (const layer of features.layers) layer.trainable = false;
  const [, h, w, c] = out.shape as number[];
  return { entry, inputSize, features, featureShape: [h!, w!, c!], hash };
}

async function loadKeras(
  entry: BackboneEntry,
  inputSize: number,
  opts: LoadOptions,
): Promise<{ features: tf.LayersModel; hash: string }> {
  const { model, hash } = await loadKerasBackbone(entry, inputSize, opts.modelCacheDir ?? modelCacheDir());
  return { features: model, hash };
}

async function loadLayersModel(
  entry: BackboneEntry,
  inputSize: number,
  opts: LoadOptions,
): Promise<{ features: tf.LayersModel; hash: string }> {
  const resized = inputSize === entry.inputSize ? undefined : inputSize;
  const { artifacts, hash } = await readSource(entry.source, {
    ...opts,
    inputSize: resized,
    truncateAt: entry.featureLayer,
  });
  // Not strict: the weights of the cut-off classifier are in the file but have no layer.
  const features = await tf.loadLayersModel(tf.io.fromMemory(artifacts), { strict: false });
  assertAllWeightsLoaded(features, artifacts, entry.id);
  return { features, hash };
}

/** With `strict: false`, a renamed weight would silently keep its random initial value. */
function assertAllWeightsLoaded(model: tf.LayersModel, artifacts: tf.io.ModelArtifacts, id: string): void {
  const stored = new Set((artifacts.weightSpecs ?? []).map((w) => w.name));
  const missing = model.weights.filter((w) => !stored.has(w.originalName)).map((w) => w.originalName);
  if (missing.length > 0) {
    throw new Error(
      `backbone "${id}": ${missing.length} weights have no stored values (first: ${missing[0]}); the weight files do not match model.json`,
    );
  }
}

/** RGB pixels 0..255, [n, size, size, 3] -> feature maps, in inference mode. */
export function extractFeatures(backbone: Backbone, pixels: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => backbone.features.predict(preprocess(pixels, backbone.entry.preprocessing)) as tf.Tensor4D);
}
