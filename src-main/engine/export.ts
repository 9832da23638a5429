// Export of a finished run as one tfjs layers model: the backbone cut at its feature map
// (with the blocks phase 2 fine-tuned), the head, and softmax, in a folder with
// model.json, weights.bin and manifest.json (labels, input size, preprocessing). The
// preprocessing stays outside the model and is named in the manifest, as each backbone
// wants its own (seed 002).
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig } from '../../src-shared/engine-config';
import { describePreprocessing, EXPORT_FORMAT } from '../../src-shared/engine-export';
import type { ExportManifest } from '../../src-shared/engine-export';
import type { ToEngine } from '../../src-shared/engine-protocol';
import { findBackbone } from './backbones/registry';
import { loadBackbone } from './backbones/load';
import type { Backbone } from './backbones/load';
import { splitBackbone } from './backbones/split';
import { buildHead, poolingLayer } from './head';
import type { Head } from './head';
import { buildPhase2Model } from './phase2';
import { restoreInto } from './trainer';
import { loadSnapshot } from './weights-io';

export type ExportTask = Extract<ToEngine, { type: 'export' }>;

/** Pixels after preprocessing -> class probabilities, as one flat functional model. */
export function inferenceModel(backbone: Backbone, head: Head): tf.LayersModel {
  let x = poolingLayer(head.spec.pooling).apply(backbone.features.outputs[0]!) as tf.SymbolicTensor;
  for (const layer of head.top.layers) {
    if (layer.getClassName() !== 'InputLayer') x = layer.apply(x) as tf.SymbolicTensor;
  }
  const probs = tf.layers.activation({ name: 'head_probs', activation: head.labelType === 'single' ? 'softmax' : 'sigmoid' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.features.inputs, outputs: probs, name: `${backbone.entry.id}_finetuned` });
}

/** Rebuilds the run's trainable model in the order training built it, so weight names match. */
async function restoredRun(task: ExportTask): Promise<{ backbone: Backbone; head: Head }> {
  const cfg: RunConfig = task.config;
  const backbone = await loadBackbone(findBackbone(cfg.backboneId), { inputSize: cfg.inputSize, downloadCacheDir: task.modelCache, modelCacheDir: task.modelCache });
  const head = buildHead(cfg.head, backbone.featureShape, task.classes.length, cfg.labelType, { seed: cfg.seed });
  const trained = cfg.phase2 ? buildPhase2Model(splitBackbone(backbone, cfg.phase2.unfreezeBlocks), head, cfg.phase2.batchNorm) : head.top;
  restoreInto(trained, await loadSnapshot(task.checkpoint));
  return { backbone, head };
}

export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (art) => {
      const data = art.weightData ? tf.io.CompositeArrayBuffer.join(art.weightData) : new ArrayBuffer(0);
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(data));
      const json = { format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, convertedBy: null, modelTopology: art.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs ?? [] }] };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
    }),
  );
}

export async function exportRun(task: ExportTask): Promise<ExportManifest> {
  const { backbone, head } = await restoredRun(task);
  await saveLayersModel(inferenceModel(backbone, head), task.outDir);
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: 1,
    labels: task.classes,
    labelType: task.config.labelType,
    backboneId: backbone.entry.id,
    backboneHash: backbone.hash,
    inputSize: backbone.inputSize,
    preprocessing: backbone.entry.preprocessing,
    preprocessingText: describePreprocessing(backbone.entry.preprocessing),
    model: 'model.json',
    runId: task.runId,
    configDigest: task.configDigest,
  };
  await writeFile(join(task.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
