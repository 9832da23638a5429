// Predictions from an exported model on a folder of images, for the command line. Files
// that cannot be decoded are reported as problems and the rest go on: one bad file in a
// folder of thousands must not cost the others. A tfjs export runs on tfjs after the
// manifest's preprocessing; an ONNX export runs on ONNX Runtime on the decoded pixels (its
// graph preprocesses). Both decode exactly as training did (images.ts).
import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCsv } from '../../src-shared/csv-cells';
import { ExportManifest, ONNX_EXPORT_FORMAT } from '../../src-shared/engine-export';
import { readFolder } from '../../src-node-shared/backbones/sources';
import { loadImage } from '../../src-node-shared/data/images';
import { openOnnx } from '../../src-node-shared/onnx/runtime';
import type { OnnxModel, OnnxOptions } from '../../src-node-shared/onnx/runtime';
import { preprocess } from '../../src-node-shared/data/preprocess';

/** Raw RGB 0..255 [n, s, s, 3] -> probabilities [n, classes]. */
type Classify = (pixels: tf.Tensor4D) => Promise<number[][]>;

export interface LoadedExport {
  manifest: ExportManifest;
  /** What runs it: 'onnxruntime-cpu' / 'onnxruntime-cuda', or the tfjs backend's name ('wasm', 'tensorflow'...). */
  runtime: string;
  classify: Classify;
  dispose(): Promise<void>;
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

export async function readManifest(dir: string): Promise<ExportManifest> {
  const file = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `cannot read ${file}: ${(err as Error).message}; EXPORT_DIR must be a folder made by \`studio export\``,
    );
  }
  const parsed = ExportManifest.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${file} is not a Finetune Studio export manifest: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function rowsOf(flat: Float32Array, n: number): number[][] {
  const k = flat.length / n;
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));
}

function onnxClassify(session: OnnxModel): Classify {
  return async (pixels) =>
    rowsOf(await session.run((await pixels.data()) as Float32Array, pixels.shape), pixels.shape[0]);
}

function tfjsClassify(model: tf.LayersModel, manifest: ExportManifest): Classify {
  return async (pixels) => {
    const probs = tf.tidy(() => model.predict(preprocess(pixels, manifest.preprocessing)) as tf.Tensor2D);
    const values = (await probs.array()) as number[][];
    probs.dispose();
    return values;
  };
}

/** Opens an export folder; an ONNX export needs ONNX Runtime (OnnxUnavailableError where it cannot load). */
export async function loadExport(dir: string, onnx: OnnxOptions = {}): Promise<LoadedExport> {
  const manifest = await readManifest(dir);
  if (manifest.format === ONNX_EXPORT_FORMAT) {
    const session = await openOnnx(join(dir, manifest.model), onnx);
    return {
      manifest,
      runtime: `onnxruntime-${session.provider}`,
      classify: onnxClassify(session),
      dispose: () => session.dispose(),
    };
  }
  const { artifacts } = await readFolder(dir);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return {
    manifest,
    runtime: tf.getBackend(),
    classify: tfjsClassify(model, manifest),
    dispose: async () => void model.dispose(),
  };
}

/** Every file under `folder`, sorted, so the CSV's order does not depend on the filesystem. */
export function filesUnder(folder: string): string[] {
  const entries = readdirSync(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function decodeAll(
  paths: string[],
  size: number,
  problems: PredictProblem[],
): Promise<{ ok: string[]; images: tf.Tensor3D[] }> {
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

export async function predictFiles(
  exp: LoadedExport,
  paths: string[],
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ rows: PredictRow[]; problems: PredictProblem[] }> {
  const { manifest } = exp;
  const bs = opts.batchSize ?? 16;
  const rows: PredictRow[] = [];
  const problems: PredictProblem[] = [];
  for (let at = 0; at < paths.length; at += bs) {
    const { ok, images } = await decodeAll(paths.slice(at, at + bs), manifest.inputSize, problems);
    if (ok.length > 0) {
      const pixels = tf.stack(images) as tf.Tensor4D;
      const values = await exp.classify(pixels).finally(() => pixels.dispose());
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

/** `path,predicted,confidence` and one probability per class; class names and paths are spreadsheet-safe, as every CSV the studio writes. */
export function predictionsCsv(labels: string[], rows: PredictRow[]): string {
  const lines = rows.map((r) => [r.path, r.predicted, r.confidence.toFixed(6), ...r.probs.map((p) => p.toFixed(6))]);
  return formatCsv([['path', 'predicted', 'confidence', ...labels], ...lines]);
}
