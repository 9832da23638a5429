// The per-user cache of Keras weight files, shared by every project: a weight file is
// a few to a hundred megabytes and the same for everyone, so it is fetched or imported
// once per user, not once per project. Each file has a sidecar `<file>.json`, written
// last and atomically: a weight file without its sidecar is an unfinished write and
// does not count as present.
import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';

export interface CachedWeights {
  file: string;
  source: 'download' | 'import';
  /** Where a download came from. */
  url?: string;
  /** The user's file an import was copied from. */
  importedFrom?: string;
  bytes: number;
  sha256: string;
  md5: string;
  /** ISO 8601. */
  addedAt: string;
}

const SIDECAR = '.json';
export const PART_SUFFIX = '.part';

/**
 * The cache folder: `STUDIO_MODEL_CACHE` when set, else the caller's folder (Electron
 * passes userData/models), else `$XDG_CACHE_HOME/finetune-studio/models`, else
 * `~/.cache/finetune-studio/models`.
 */
export function modelCacheDir(fallback?: string, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.STUDIO_MODEL_CACHE) return env.STUDIO_MODEL_CACHE;
  if (fallback) return fallback;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(xdg, 'finetune-studio', 'models');
}

/** A weight file's name must stay inside the cache and not collide with sidecars, parts or temp files. */
export function checkWeightsName(file: string): void {
  const bad =
    !file ||
    file !== basename(file) ||
    file.includes('\\') ||
    file.startsWith('.') ||
    file.endsWith(SIDECAR) ||
    file.endsWith(PART_SUFFIX);
  if (bad)
    throw new Error(
      `"${file}" is not a valid weight file name (a plain file name, not starting with "." nor ending in .json or .part)`,
    );
}

export function weightsPath(dir: string, file: string): string {
  checkWeightsName(file);
  return join(dir, file);
}

function sidecarPath(dir: string, file: string): string {
  return weightsPath(dir, file) + SIDECAR;
}

/** A temp name in the same folder (rename is atomic only within one file system), hidden from listings. */
export function tempPath(dir: string, file: string): string {
  return join(dir, `.${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** md5 (Keras' usual file_hash) and sha256 (its other one, and what runs record) in one pass. */
export class WeightsHasher {
  readonly #md5: Hash = createHash('md5');
  readonly #sha256: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.#md5.update(chunk);
    this.#sha256.update(chunk);
    this.bytes += chunk.byteLength;
  }

  /** Feeds an existing file (a resumed download's part) through the hashes. */
  async updateFromFile(path: string): Promise<void> {
    for await (const chunk of createReadStream(path)) this.update(chunk as Buffer);
  }

  digest(): { md5: string; sha256: string; bytes: number } {
    return { md5: this.#md5.digest('hex'), sha256: this.#sha256.digest('hex'), bytes: this.bytes };
  }
}

/** Writes `data` to `path` through a temp file, fsync and rename, so a reader sees all of it or nothing. */
async function writeAtomic(dir: string, path: string, data: string): Promise<void> {
  const tmp = tempPath(dir, basename(path));
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

export async function writeSidecar(dir: string, entry: CachedWeights): Promise<void> {
  await writeAtomic(dir, sidecarPath(dir, entry.file), `${JSON.stringify(entry, null, 2)}\n`);
}

function isCachedWeights(x: unknown, file: string): x is CachedWeights {
  const e = x as Partial<CachedWeights> | null;
  return (
    !!e &&
    e.file === file &&
    (e.source === 'download' || e.source === 'import') &&
    typeof e.bytes === 'number' &&
    typeof e.sha256 === 'string' &&
    typeof e.md5 === 'string' &&
    typeof e.addedAt === 'string'
  );
}

// Listing is synchronous: a cache holds a handful of files, and callers (the registry's
// "which weights are present") ask while building plain values.

/** The sidecar of a present weight file: the sidecar parses and the file is there with its recorded size. */
export function readCachedWeights(dir: string, file: string): CachedWeights | null {
  let entry: unknown;
  try {
    entry = JSON.parse(readFileSync(sidecarPath(dir, file), 'utf8'));
  } catch {
    return null;
  }
  if (!isCachedWeights(entry, file)) return null;
  const size = statSync(weightsPath(dir, file), { throwIfNoEntry: false })?.size;
  return size === entry.bytes ? entry : null;
}

export function isPresent(dir: string, file: string): boolean {
  return readCachedWeights(dir, file) !== null;
}

/** Every present weight file, by name. A missing cache folder is an empty cache. */
export function cachedWeights(dir: string): CachedWeights[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(SIDECAR) && !n.startsWith('.'))
    .map((n) => n.slice(0, -SIDECAR.length))
    .filter(isValidName)
    .map((f) => readCachedWeights(dir, f))
    .filter((e): e is CachedWeights => e !== null)
    .sort((a, b) => a.file.localeCompare(b.file));
}

function isValidName(file: string): boolean {
  try {
    checkWeightsName(file);
    return true;
  } catch {
    return false;
  }
}

/** Removes a weight file, its sidecar (first, so it stops being present at once) and any partial download. */
export async function removeWeights(dir: string, file: string): Promise<boolean> {
  const was = isPresent(dir, file);
  await rm(sidecarPath(dir, file), { force: true });
  await rm(weightsPath(dir, file), { force: true });
  await rm(weightsPath(dir, file) + PART_SUFFIX, { force: true });
  return was;
}

/** Copies `src` into `dst` (a new file), hashing on the way and syncing before returning. */
async function copyHashed(src: string, dst: string): Promise<ReturnType<WeightsHasher['digest']>> {
  const hasher = new WeightsHasher();
  const fh = await open(dst, 'wx');
  try {
    for await (const chunk of createReadStream(src)) {
      hasher.update(chunk as Buffer);
      await fh.write(chunk as Buffer);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return hasher.digest();
}

/** Where the copy a new import replaced is kept: hidden from listings, one per weight file. */
export function previousPath(dir: string, file: string): string {
  return join(dir, `.${file}.previous`);
}

/**
 * Copies a user's weight file into the cache as `targetFile`: temp copy, fsync, `check` on
 * that copy (so what was checked is byte for byte what is used), rename, then the sidecar.
 * A cached file being replaced stays in use until the new one passed its check, and is
 * then kept at previousPath.
 */
export async function importWeightsFile(
  src: string,
  targetFile: string,
  dir: string,
  check?: (copy: string) => Promise<void>,
): Promise<CachedWeights> {
  const dst = weightsPath(dir, targetFile);
  await mkdir(dir, { recursive: true });
  const tmp = tempPath(dir, targetFile);
  let hashes: ReturnType<WeightsHasher['digest']>;
  try {
    hashes = await copyHashed(src, tmp);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`cannot import ${src} as ${targetFile}: ${(err as Error).message}`);
  }
  try {
    await check?.(tmp);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // An older copy stops being present before it is replaced.
  await rm(sidecarPath(dir, targetFile), { force: true });
  if (existsSync(dst)) await rename(dst, previousPath(dir, targetFile));
  await rename(tmp, dst);
  const entry: CachedWeights = {
    file: targetFile,
    source: 'import',
    importedFrom: resolve(src),
    ...hashes,
    addedAt: new Date().toISOString(),
  };
  await writeSidecar(dir, entry);
  return entry;
}
