// Where backbone weights come from, each turned into a tfjs IOHandler. Plain tfjs has no
// file:// loader in Node (that lives in tfjs-node, which may be absent), so folders are
// read here and handed over from memory.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BackboneSource } from './registry';
import { editTopology } from './topology';
import type { TopologyEdit } from './topology';

export interface DownloadProgress {
  file: string;
  fileBytes: number;
  /** From Content-Length; null when the server sends none. */
  fileTotal: number | null;
  /** All files so far. */
  bytes: number;
}

export interface ModelJson {
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  format?: string;
}

export interface LoadedArtifacts {
  artifacts: tf.io.ModelArtifacts;
  /** sha256 of topology and weights: stored with each run so it can be re-run exactly. */
  hash: string;
}

const require = createRequire(import.meta.url);

function concat(parts: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

function toArtifacts(json: ModelJson, shards: Uint8Array[], edit: TopologyEdit, where: string): LoadedArtifacts {
  const weightData = concat(shards);
  const hash = createHash('sha256')
    .update(JSON.stringify(json.modelTopology))
    .update(new Uint8Array(weightData))
    .digest('hex');
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: editTopology(json.modelTopology, edit, where) as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData,
    format: json.format,
  };
  return { artifacts, hash };
}

function nsfwjsModelsDir(): string {
  // The package's exports map hides its files, but its main entry sits at dist/cjs/.
  return join(dirname(require.resolve('nsfwjs')), '..', 'models');
}

/** nsfwjs ships each model as UMD bundles: model.min.js (the JSON) and base64 weight shards. */
export function readNsfwjs(model: string, edit: TopologyEdit = {}): LoadedArtifacts {
  const dir = join(nsfwjsModelsDir(), model);
  if (!existsSync(join(dir, 'model.min.js')))
    throw new Error(`nsfwjs model "${model}" not found under ${dir}; is the nsfwjs package installed?`);
  const json = require(join(dir, 'model.min.js')) as ModelJson;
  const shards = json.weightsManifest.flatMap((g) =>
    g.paths.map((p) => new Uint8Array(Buffer.from(require(join(dir, `${p}.min.js`)) as string, 'base64'))),
  );
  return toArtifacts(json, shards, edit, `nsfwjs model ${model}`);
}

export async function readFolder(dir: string, edit: TopologyEdit = {}): Promise<LoadedArtifacts> {
  const jsonPath = join(dir, 'model.json');
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (err) {
    throw new Error(
      `cannot read ${jsonPath}: ${(err as Error).message}; the folder must hold a tfjs layers model.json`,
    );
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${jsonPath} is not a tfjs layers model (needs modelTopology and weightsManifest)`);
  }
  const shards = await Promise.all(
    json.weightsManifest.flatMap((g) => g.paths.map(async (p) => new Uint8Array(await readFile(join(dir, p))))),
  );
  return toArtifacts(json, shards, edit, jsonPath);
}

async function fetchTo(
  url: string,
  dest: string,
  onBytes: (fileBytes: number, fileTotal: number | null) => void,
): Promise<number> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`download of ${url} failed: HTTP ${res.status}`);
  const len = res.headers.get('content-length');
  const total = len ? Number(len) : null;
  const parts: Uint8Array[] = [];
  let got = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    parts.push(chunk);
    got += chunk.byteLength;
    onBytes(got, total);
  }
  // Written under a temporary name first so an interrupted download is never taken as cached.
  await writeFile(`${dest}.part`, new Uint8Array(concat(parts)));
  await rename(`${dest}.part`, dest);
  return got;
}

/** Downloads model.json and its shards once into `cacheDir/<sha256(url)>/`; returns that folder. */
export async function downloadModel(
  url: string,
  cacheDir: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<string> {
  const dir = join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 32));
  if (existsSync(join(dir, 'complete'))) return dir;
  await mkdir(dir, { recursive: true });
  let done = 0;
  const get = async (file: string, from: string) => {
    done += await fetchTo(from, join(dir, file), (fileBytes, fileTotal) =>
      onProgress?.({ file, fileBytes, fileTotal, bytes: done + fileBytes }),
    );
  };
  await get('model.json', url);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJson;
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) await get(p, new URL(p, url).toString());
  // The marker is written last: its presence means every file above arrived whole.
  await writeFile(join(dir, 'complete'), url);
  return dir;
}

export interface SourceOptions extends TopologyEdit {
  /** Required for `url` sources: where downloads are kept. */
  downloadCacheDir?: string;
  onProgress?: (p: DownloadProgress) => void;
}

export async function readSource(source: BackboneSource, opts: SourceOptions = {}): Promise<LoadedArtifacts> {
  switch (source.kind) {
    case 'nsfwjs':
      return readNsfwjs(source.model, opts);
    case 'folder':
      return readFolder(source.path, opts);
    case 'url': {
      if (!opts.downloadCacheDir)
        throw new Error(
          `backbone source ${source.url}: a URL source needs downloadCacheDir (e.g. <project>/cache/models)`,
        );
      return readFolder(await downloadModel(source.url, opts.downloadCacheDir, opts.onProgress), opts);
    }
    case 'keras':
      throw new Error(
        `Keras architecture ${source.arch} is built from code, not read as a layers model; load it with loadBackbone`,
      );
  }
}
