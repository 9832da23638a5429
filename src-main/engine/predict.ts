// Predictions from an exported model on a folder of images, for the command line. Files
// that cannot be decoded are reported as problems and the rest go on: one bad file in a
// folder of thousands must not cost the others.
import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportManifest } from '../../src-shared/engine-export';
import { readFolder } from './backbones/sources';
import { loadImage } from './images';
import { preprocess } from './preprocess';

export interface LoadedExport {
  manifest: ExportManifest;
  model: tf.LayersModel;
}

export interface PredictRow {
  path: string;
  predicted: string;
  confidence: number;
  probs: number[];
}

export interface PredictProblem {
  path: string;
  reason: string;
}

export async function loadExport(dir: string): Promise<LoadedExport> {
  const file = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}; EXPORT_DIR must be a folder made by \`studio export\``);
  }
  const parsed = ExportManifest.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a Finetune Studio export manifest: ${parsed.error.issues[0]?.message}`);
  const { artifacts } = await readFolder(dir);
  return { manifest: parsed.data, model: await tf.loadLayersModel(tf.io.fromMemory(artifacts)) };
}

/** Every file under `folder`, sorted, so the CSV's order does not depend on the filesystem. */
export function filesUnder(folder: string): string[] {
  const entries = readdirSync(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

async function decodeAll(paths: string[], size: number, problems: PredictProblem[]): Promise<{ ok: string[]; images: tf.Tensor3D[] }> {
  const ok: string[] = [];
  const images: tf.Tensor3D[] = [];
  for (const path of paths) {
    try {
      images.push(await loadImage(path, size));
      ok.push(path);
    } catch (err) {
      problems.push({ path, reason: (err as Error).message });
    }
  }
  return { ok, images };
}

export async function predictFiles(exp: LoadedExport, paths: string[], opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<{ rows: PredictRow[]; problems: PredictProblem[] }> {
  const { manifest, model } = exp;
  const bs = opts.batchSize ?? 16;
  const rows: PredictRow[] = [];
  const problems: PredictProblem[] = [];
  for (let at = 0; at < paths.length; at += bs) {
    const { ok, images } = await decodeAll(paths.slice(at, at + bs), manifest.inputSize, problems);
    if (ok.length > 0) {
      const probs = tf.tidy(() => model.predict(preprocess(tf.stack(images), manifest.preprocessing)) as tf.Tensor2D);
      const values = (await probs.array()) as number[][];
      probs.dispose();
      values.forEach((p, i) => {
        const best = p.indexOf(Math.max(...p));
        rows.push({ path: ok[i]!, predicted: manifest.labels[best]!, confidence: p[best]!, probs: p });
      });
    }
    tf.dispose(images);
    opts.onProgress?.(Math.min(at + bs, paths.length), paths.length);
  }
  return { rows, problems };
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function predictionsCsv(labels: string[], rows: PredictRow[]): string {
  const head = ['path', 'predicted', 'confidence', ...labels].map(csvCell).join(',');
  const lines = rows.map((r) => [r.path, r.predicted, r.confidence.toFixed(6), ...r.probs.map((p) => p.toFixed(6))].map(csvCell).join(','));
  return [head, ...lines].join('\n') + '\n';
}
