// Export of a finished run as one model: the backbone cut at its feature map (with the
// blocks phase 2 fine-tuned), the head, and softmax, in a folder with manifest.json
// (labels, input size, preprocessing) beside the model in one format, each its own module:
// tfjs-export.ts (a tfjs layers model, preprocessing outside, named in the manifest, as each
// backbone wants its own: seed 002) or onnx-export.ts (model.onnx, preprocessing inside).
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig } from '../../src-shared/engine-config';
import { describePreprocessing } from '../../src-shared/engine-export';
import type { ExportFormat, ExportManifest } from '../../src-shared/engine-export';
import type { ToEngine } from '../../src-shared/engine-protocol';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import { loadBackbone } from '../backbones/load';
import type { Backbone } from '../backbones/load';
import { splitBackbone } from '../backbones/split';
import { buildHead, poolingLayer } from '../head';
import type { Head } from '../head';
import { writeOnnxExport } from './onnx-export';
import { writeTfjsExport } from './tfjs-export';
import type { ExportFacts } from './onnx-export';
import { buildPhase2Model } from '../phase2';
import { restoreInto } from '../trainer';
import { loadSnapshot } from '../weights-io';
import { replaceFile } from '../../src-node-shared/fs/replace-file';

/** The engine's export message; a caller that names no format gets tfjs, as before formats existed. */
export type ExportTask = Omit<Extract<ToEngine, { type: 'export' }>, 'format'> & { format?: ExportFormat };

/** Pixels after preprocessing -> class probabilities, as one flat functional model. */
export function inferenceModel(backbone: Backbone, head: Head): tf.LayersModel {
  let x = poolingLayer(head.spec.pooling).apply(backbone.features.outputs[0]!) as tf.SymbolicTensor;
  for (const layer of head.top.layers) {
    if (layer.getClassName() !== 'InputLayer') x = layer.apply(x) as tf.SymbolicTensor;
  }
  const probs = tf.layers
    .activation({ name: 'head_probs', activation: head.labelType === 'single' ? 'softmax' : 'sigmoid' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.features.inputs, outputs: probs, name: `${backbone.entry.id}_finetuned` });
}

/** Rebuilds the run's trainable model in the order training built it, so weight names match. */
async function restoredRun(task: ExportTask): Promise<{ backbone: Backbone; head: Head }> {
  const cfg: RunConfig = task.config;
  const backbone = await loadBackbone(findBackbone(cfg.backboneId), {
    inputSize: cfg.inputSize,
    downloadCacheDir: task.modelCache,
    modelCacheDir: task.modelCache,
  });
  const head = buildHead(cfg.head, backbone.featureShape, task.classes.length, cfg.labelType, { seed: cfg.seed });
  const trained = cfg.phase2
    ? buildPhase2Model(splitBackbone(backbone, cfg.phase2.unfreezeBlocks), head, cfg.phase2.batchNorm)
    : head.top;
  restoreInto(trained, await loadSnapshot(task.checkpoint));
  return { backbone, head };
}

export async function exportRun(task: ExportTask): Promise<ExportManifest> {
  const { backbone, head } = await restoredRun(task);
  const model = inferenceModel(backbone, head);
  const facts: ExportFacts = {
    version: 1,
    labels: task.classes,
    labelType: task.config.labelType,
    backboneId: backbone.entry.id,
    backboneHash: backbone.hash,
    inputSize: backbone.inputSize,
    preprocessing: backbone.entry.preprocessing,
    preprocessingText: describePreprocessing(backbone.entry.preprocessing),
    runId: task.runId,
    configDigest: task.configDigest,
  };
  await mkdir(task.outDir, { recursive: true });
  let manifest: ExportManifest;
  if (task.format === 'onnx') {
    manifest = await writeOnnxExport(model, facts, task.outDir);
  } else {
    manifest = await writeTfjsExport(model, facts, task.outDir);
  }
  await replaceFile(join(task.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
