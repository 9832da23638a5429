// The tfjs export format: a tfjs layers model (model.json, weights.bin) that wants
// preprocessed pixels; the manifest names the preprocessing, as each backbone wants its own.
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPORT_FORMAT } from '../../src-shared/engine-export';
import type { ExportManifest } from '../../src-shared/engine-export';
import { IMAGE_BACKGROUND } from '../../src-shared/image-background';
import { replaceFile } from '../../src-node-shared/fs/replace-file';
import type { ExportFacts } from './onnx-export';

async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (art) => {
      const data = art.weightData ? tf.io.CompositeArrayBuffer.join(art.weightData) : new ArrayBuffer(0);
      await replaceFile(join(dir, 'weights.bin'), new Uint8Array(data));
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: art.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs ?? [] }],
      };
      await replaceFile(join(dir, 'model.json'), JSON.stringify(json));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength },
      };
    }),
  );
}

/** Writes the model into `dir` and returns the manifest that goes beside it. */
export async function writeTfjsExport(model: tf.LayersModel, facts: ExportFacts, dir: string): Promise<ExportManifest> {
  await saveLayersModel(model, dir);
  return { ...facts, format: EXPORT_FORMAT, model: 'model.json', background: IMAGE_BACKGROUND };
}
