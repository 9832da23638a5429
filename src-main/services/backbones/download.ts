// Downloads a Keras weight file into the per-user model cache on first use: streamed to
// `<file>.part` (files reach ~100 MB, never held in memory), resumed with a Range request
// after an interruption, hashed while written, checked against Keras' file_hash, and only
// then renamed into place and given its sidecar (see model-cache.ts).
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import type { KerasWeights } from '../../../src-node-shared/backbones/arch/types';
import {
  PART_SUFFIX,
  WeightsHasher,
  isPresent,
  weightsPath,
  writeSidecar,
} from '../../../src-node-shared/backbones/model-cache';

export interface WeightsProgress {
  file: string;
  url: string;
  /** Bytes of the file on disk so far, a resumed part included. */
  bytes: number;
  /** Whole file size; null when the server does not say. */
  total: number | null;
  /** Over this request only. */
  bytesPerSecond: number;
  etaSeconds: number | null;
}

export interface DownloadWeightsOptions {
  onProgress?(p: WeightsProgress): void;
  /** Aborting keeps `<file>.part`, so the next call resumes. */
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  /** The architecture id, so a failure can name the exact import command. */
  archId?: string;
  /** Milliseconds; injected for rate and ETA in tests. */
  now?: () => number;
}

/** A cancelled download: `name` is 'AbortError' like fetch's own, so callers test one thing. */
export class DownloadCancelled extends Error {
  override name = 'AbortError';
  constructor(readonly file: string) {
    super(`download of ${file} cancelled; the part is kept and the next download resumes it`);
  }
}

export type DownloadFailure = 'http' | 'network' | 'interrupted' | 'hash';

export class WeightsDownloadError extends Error {
  override name = 'WeightsDownloadError';
  constructor(
    readonly kind: DownloadFailure,
    readonly file: string,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

const PROGRESS_INTERVAL_MS = 100;

interface Shared {
  promise: Promise<string>;
  /** Settles once the download is over and the part is closed. */
  settled: Promise<void>;
  controller: AbortController;
  listeners: Set<(p: WeightsProgress) => void>;
  waiters: number;
}

/** One download per target path in this process; concurrent callers share it. */
const inFlight = new Map<string, Shared>();

function manualHint(w: KerasWeights, archId?: string): string {
  return (
    `To get it by hand, download ${w.url} on a networked machine and import it: ` +
    `studio backbones import ${w.file} --arch ${archId ?? '<architecture id>'} (or the launcher's Import button).`
  );
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  // fetch's own message is a bare 'fetch failed'; the cause says what happened (ECONNREFUSED, ENOTFOUND, ...).
  return e.cause?.message ?? e.cause?.code ?? e.message ?? String(err);
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

async function get(w: KerasWeights, o: DownloadWeightsOptions, from: number): Promise<Response> {
  // identity: a compressed response would make byte ranges and sizes refer to another stream.
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (from > 0) headers.range = `bytes=${from}-`;
  try {
    return await (o.fetchImpl ?? fetch)(w.url, { headers, signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted) throw new DownloadCancelled(w.file);
    throw new WeightsDownloadError(
      'network',
      w.file,
      w.url,
      `cannot download ${w.file} from ${w.url} (${causeOf(err)}); is this machine offline? ${manualHint(w, o.archId)}`,
    );
  }
}

function rangeStart(res: Response): number | null {
  const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
  return m ? Number(m[1]) : null;
}

function totalOf(res: Response, offset: number): number | null {
  const m = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
  if (res.status === 206 && m) return Number(m[1]);
  const len = res.headers.get('content-length');
  return len === null ? null : offset + Number(len);
}

/** The response to write from, and where in the file it starts: a 206 continues the part, a 200 replaces it. */
async function openResponse(
  w: KerasWeights,
  part: string,
  o: DownloadWeightsOptions,
): Promise<{ res: Response; offset: number }> {
  const have = await sizeOf(part);
  const res = await get(w, o, have);
  if (res.status === 206 && have > 0 && rangeStart(res) === have) return { res, offset: have };
  if (res.status === 200) return { res, offset: 0 };
  await res.body?.cancel().catch(() => {});
  // 416 or another range than asked: the part is no prefix the server agrees on; start over.
  if (have > 0 && (res.status === 416 || res.status === 206)) {
    await rm(part, { force: true });
    return openResponse(w, part, o);
  }
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  throw new WeightsDownloadError(
    'http',
    w.file,
    w.url,
    `download of ${w.file} failed: ${status} from ${w.url}. ${manualHint(w, o.archId)}`,
  );
}

function progressReporter(w: KerasWeights, o: DownloadWeightsOptions, offset: number, total: number | null) {
  const now = o.now ?? Date.now;
  const start = now();
  let last = -Infinity;
  return (bytes: number, force = false): void => {
    const t = now();
    if (!o.onProgress || (!force && t - last < PROGRESS_INTERVAL_MS)) return;
    last = t;
    const seconds = (t - start) / 1000;
    const bytesPerSecond = seconds > 0 ? (bytes - offset) / seconds : 0;
    const etaSeconds = total !== null && bytesPerSecond > 0 ? Math.max(0, total - bytes) / bytesPerSecond : null;
    o.onProgress({ file: w.file, url: w.url, bytes, total, bytesPerSecond, etaSeconds });
  };
}

/** Streams the body onto the part, chunk by chunk, hashing what is written. */
async function writeBody(
  res: Response,
  part: string,
  offset: number,
  hasher: WeightsHasher,
  report: (bytes: number) => void,
): Promise<void> {
  const fh = await open(part, offset > 0 ? 'a' : 'w');
  try {
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      hasher.update(chunk);
      report(hasher.bytes);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function interrupted(
  w: KerasWeights,
  o: DownloadWeightsOptions,
  err: unknown,
  bytes: number,
  total: number | null,
): Error {
  if (o.signal?.aborted) return new DownloadCancelled(w.file);
  const of = total === null ? '' : ` of ${total}`;
  return new WeightsDownloadError(
    'interrupted',
    w.file,
    w.url,
    `download of ${w.file} from ${w.url} was interrupted after ${bytes}${of} bytes (${causeOf(err)}); ` +
      `the part is kept: try again to resume. ${manualHint(w, o.archId)}`,
  );
}

async function checkHash(
  w: KerasWeights,
  o: DownloadWeightsOptions,
  part: string,
  got: { md5: string; sha256: string },
): Promise<void> {
  if (!w.fileHash) return;
  const expected = w.fileHash.toLowerCase();
  // Keras' rule (file_utils.validate_file): 64 hex digits is sha256, anything else md5.
  const [algorithm, actual] = expected.length === 64 ? ['sha256', got.sha256] : ['md5', got.md5];
  if (actual === expected) return;
  await rm(part, { force: true });
  throw new WeightsDownloadError(
    'hash',
    w.file,
    w.url,
    `${w.file} downloaded from ${w.url} has ${algorithm} ${actual}, but Keras expects ${expected}; the download was deleted. ` +
      `Try again; if it happens again, the server (a mirror set by STUDIO_WEIGHTS_BASE_URL?) may serve another file. ${manualHint(w, o.archId)}`,
  );
}

async function fetchWeights(w: KerasWeights, dir: string, o: DownloadWeightsOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  const final = weightsPath(dir, w.file);
  const part = final + PART_SUFFIX;
  const { res, offset } = await openResponse(w, part, o);
  const total = totalOf(res, offset);
  const hasher = new WeightsHasher();
  if (offset > 0) await hasher.updateFromFile(part);
  const report = progressReporter(w, o, offset, total);
  try {
    await writeBody(res, part, offset, hasher, report);
  } catch (err) {
    throw interrupted(w, o, err, hasher.bytes, total);
  }
  if (total !== null && hasher.bytes < total)
    throw interrupted(w, o, new Error('connection closed early'), hasher.bytes, total);
  report(hasher.bytes, true);
  const hashes = hasher.digest();
  await checkHash(w, o, part, hashes);
  await rename(part, final);
  await writeSidecar(dir, {
    file: w.file,
    source: 'download',
    url: w.url,
    ...hashes,
    addedAt: new Date().toISOString(),
  });
  return final;
}

function startShared(w: KerasWeights, dir: string, path: string, o: DownloadWeightsOptions): Shared {
  const controller = new AbortController();
  const listeners = new Set<(p: WeightsProgress) => void>();
  const onProgress = (p: WeightsProgress) => {
    for (const listener of listeners) {
      try {
        listener(p);
      } catch {
        // One caller's failing callback must not break the download the others share.
      }
    }
  };
  const promise = fetchWeights(w, dir, { ...o, signal: controller.signal, onProgress });
  const shared: Shared = { promise, settled: Promise.resolve(), controller, listeners, waiters: 0 };
  shared.settled = promise
    .then(
      () => {},
      () => {},
    )
    .finally(() => {
      if (inFlight.get(path) === shared) inFlight.delete(path);
    });
  inFlight.set(path, shared);
  return shared;
}

/** Waits on a shared download; this caller's signal detaches it, and the last one to leave cancels the download. */
function attach(shared: Shared, w: KerasWeights, o: DownloadWeightsOptions): Promise<string> {
  if (o.onProgress) shared.listeners.add(o.onProgress);
  shared.waiters++;
  return new Promise<string>((resolve, reject) => {
    let done = false;
    const leave = (): boolean => {
      if (done) return false;
      done = true;
      shared.waiters--;
      o.signal?.removeEventListener('abort', onAbort);
      if (o.onProgress) shared.listeners.delete(o.onProgress);
      return true;
    };
    const onAbort = () => {
      if (!leave()) return;
      if (shared.waiters > 0) return reject(new DownloadCancelled(w.file));
      shared.controller.abort();
      // Rejects once the part is closed, so a call made right after resumes from all of it.
      void shared.settled.then(() => reject(new DownloadCancelled(w.file)));
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    shared.promise.then(
      (p) => leave() && resolve(p),
      (err) => leave() && reject(err),
    );
  });
}

/**
 * Makes `w.file` present in the cache folder `dir` and returns its path: at once when it
 * is there already, else by downloading `w.url` (joining a download in progress).
 */
export async function downloadWeights(
  w: KerasWeights,
  dir: string,
  opts: DownloadWeightsOptions = {},
): Promise<string> {
  const path = weightsPath(dir, w.file);
  for (;;) {
    if (opts.signal?.aborted) throw new DownloadCancelled(w.file);
    const shared = inFlight.get(path);
    if (shared && !shared.controller.signal.aborted) return attach(shared, w, opts);
    if (shared) {
      await shared.settled;
      continue;
    }
    if (isPresent(dir, w.file)) return path;
    return attach(startShared(w, dir, path, opts), w, opts);
  }
}
