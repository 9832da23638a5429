// One import of one folder: walk it, then read files in order (a few ahead), hash each,
// and decode only content never seen before, a few at a time, while results are
// committed in small batches. Reading in order makes "the first copy" well defined.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ImportProgress, Split } from '../../../src-shared/schemas';
import { findKnownImage, pathStat, type PathStat } from '../../store/repos/images';
import { finishImport } from '../../store/repos/imports';
import { problemPathsUnder } from '../../store/repos/problems';
import type { Project } from '../project/project';
import { StudioError } from '../../../src-shared/errors';
import { decodeImage, ThumbWriteError, ThumbWriter } from './decode';
import { ProgressReporter } from './progress';
import { reasons, type FileProblem } from './reasons';
import { scanFolder, type ScanEntry, type ScanResult } from './scan';
import { ImportWriter, type FoundFile } from './writer';

/**
 * Images decoded at once. sharp runs each decode on libuv's pool, which has 4 threads
 * unless UV_THREADPOOL_SIZE says otherwise, so more than 4 only queue there (and delay
 * file reads behind them); bench/import.ts measured 4 ahead of 2 and 3 on 2 cores.
 */
export const DEFAULT_CONCURRENCY = 4;

export interface ImportOptions {
  /** Images decoded at once; DEFAULT_CONCURRENCY when left out. */
  concurrency?: number;
  /** Rows per transaction. */
  batchSize?: number;
  /** Replaceable so tests can make a file unreadable (chmod does not stop root). */
  readFile?: (path: string) => Promise<Buffer>;
}

export interface ImportContext {
  project: Project;
  emit: (p: ImportProgress) => void;
  clock: () => number;
  options: Required<ImportOptions>;
  /** Real paths outside the folder that links in it may lead to (see ScanOptions.allowed). */
  allowed?: (real: string) => boolean;
}

/** A file at least this big is refused before it is read into memory. */
export const FILE_LIMIT = 512 * 2 ** 20;
const FLUSH_MS = 250;

type ReadOutcome =
  { kind: 'unchanged' } | { kind: 'problem'; problem: FileProblem } | { kind: 'data'; buf: Buffer; stat: PathStat };

/** What the run knows about a content hash: where it was first seen, and whether it was stored. */
interface Seen {
  label: string | null;
  split: Split | null;
  path: string;
  /** Resolves to null once the image is queued for storing, or to the problem that stopped it, worded for a given file. */
  stored: Promise<((path: string) => FileProblem) | null>;
}

class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) return void this.#free--;
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

export class ImportRun {
  readonly finished: Promise<void>;
  readonly #ctx: ImportContext;
  readonly #writer: ImportWriter;
  readonly #progress: ProgressReporter;
  readonly #thumbs: ThumbWriter;
  readonly #seen = new Map<string, Seen>();
  readonly #inflight = new Set<Promise<void>>();
  #ended = false;
  #cancelled = false;
  #fatal: unknown = null;
  #lastFlush = 0;

  constructor(
    readonly id: number,
    readonly root: string,
    ctx: ImportContext,
  ) {
    this.#ctx = ctx;
    this.#thumbs = new ThumbWriter(ctx.project.thumbsDir, { staged: true });
    this.#writer = new ImportWriter(ctx.project.db, id, ctx.clock, this.#thumbs);
    this.#progress = new ProgressReporter(id, root, ctx.emit, ctx.clock);
    this.finished = this.#run();
  }

  /** Stops at once: what is committed stays, work still settling is dropped. */
  cancel(): void {
    if (this.#ended) return;
    this.#cancelled = true;
    this.#end('cancelled', 'Cancelled; importing the folder again picks up where this stopped.');
  }

  async #run(): Promise<void> {
    try {
      // The caller learns the import's id before its first event arrives.
      await Promise.resolve();
      this.#progress.report(true);
      const scan = await scanFolder(this.root, {
        skip: new Set([realpathSync(this.#ctx.project.dir)]),
        allowed: this.#ctx.allowed,
        isCancelled: () => this.#cancelled,
        onFound: (n) => this.#progress.found(n),
      });
      if (this.#cancelled) return;
      this.#progress.startImporting(scan.entries.length + scan.problems.length);
      for (const problem of scan.problems) this.#problem(problem.path, problem);
      await this.#importAll(scan.entries);
      if (this.#fatal) throw this.#fatal;
      if (this.#cancelled) return;
      this.#forgetVanished(scan);
      this.#end('done');
    } catch (err) {
      this.#end('failed', failureMessage(err));
    }
  }

  #end(status: 'done' | 'cancelled' | 'failed', message?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    const { db } = this.#ctx.project;
    // The project may have been closed under a cancelled import; then there is nothing to record.
    if (db.open) message = this.#record(status, message);
    this.#progress.finish(status, message);
  }

  /**
   * Commits the last batch and how the import ended. After a failure of the store itself
   * (busy, full) the last batch is dropped whole, and its staged thumbnails with it, which
   * also gives a full disk back the room to record the ending.
   */
  #record(status: 'done' | 'cancelled' | 'failed', message?: string): string | undefined {
    const { db } = this.#ctx.project;
    try {
      if (this.#fatal) this.#writer.abandon();
      else this.#progress.stored(this.#writer.close(this.#progress.counters));
    } catch (err) {
      this.#writer.abandon();
      [status, message] = ['failed', failureMessage(err)];
    }
    try {
      finishImport(db, this.id, status, this.#ctx.clock(), message ?? null);
    } catch {
      // Nothing more can be written now; the next open marks the import as interrupted.
    }
    return message;
  }

  async #importAll(entries: ScanEntry[]): Promise<void> {
    const { concurrency } = this.#ctx.options;
    const slots = new Slots(concurrency);
    const ahead = concurrency * 2 + 2;
    const reads: Promise<ReadOutcome>[] = [];
    let next = 0;
    for (let i = 0; i < entries.length; i++) {
      while (next < entries.length && reads.length < ahead) reads.push(this.#read(entries[next++]));
      const outcome = await reads.shift()!;
      if (this.#cancelled || this.#fatal) break;
      await this.#handle(entries[i], outcome, slots);
      this.#maybeFlush();
      // Files already known resolve without real I/O; let timers and sockets in now and then.
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(this.#inflight);
    if (!this.#ended) this.#maybeFlush(true);
  }

  /** Never rejects: every failure to read is a problem for that file alone. */
  async #read(entry: ScanEntry): Promise<ReadOutcome> {
    try {
      const s = await stat(entry.path);
      const now: PathStat = { size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
      const known = pathStat(this.#ctx.project.db, entry.path);
      // Same path, size and time: the same file as last time, so skip it without reading.
      if (known && known.size === now.size && known.mtimeMs === now.mtimeMs) return { kind: 'unchanged' };
      if (now.size === 0) return { kind: 'problem', problem: reasons.empty() };
      if (now.size >= FILE_LIMIT) return { kind: 'problem', problem: reasons.tooManyBytes(now.size, FILE_LIMIT) };
      const buf = await this.#ctx.options.readFile(entry.path);
      if (buf.length === 0) return { kind: 'problem', problem: reasons.empty() };
      return { kind: 'data', buf, stat: now };
    } catch (err) {
      return { kind: 'problem', problem: reasons.unreadable((err as NodeJS.ErrnoException).code) };
    }
  }

  async #handle(entry: ScanEntry, outcome: ReadOutcome, slots: Slots): Promise<void> {
    if (outcome.kind === 'unchanged') return this.#progress.count('skipped');
    if (outcome.kind === 'problem') return this.#problem(entry.path, outcome.problem);
    const hash = createHash('sha256').update(outcome.buf).digest('hex');
    const file: FoundFile = { path: entry.path, stat: outcome.stat, hash, label: entry.label, split: entry.split };
    const first = this.#seen.get(hash) ?? this.#known(hash);
    if (first) return this.#track(this.#copy(file, first));
    await slots.acquire();
    const stored = this.#decode(file, outcome.buf).finally(() => slots.release());
    this.#seen.set(hash, { label: file.label, split: file.split, path: file.path, stored });
    this.#track(stored.then(() => undefined));
  }

  #known(hash: string): Seen | null {
    const known = findKnownImage(this.#ctx.project.db, hash);
    if (!known) return null;
    const seen: Seen = {
      label: known.className,
      split: known.split,
      path: known.path ?? 'an image already in the project',
      stored: Promise.resolve(null),
    };
    this.#seen.set(hash, seen);
    return seen;
  }

  async #decode(file: FoundFile, buf: Buffer): Promise<((path: string) => FileProblem) | null> {
    const result = await decodeImage(buf, file.path, file.hash, this.#thumbs);
    if (!result.ok) {
      this.#problem(file.path, result);
      return result.forPath;
    }
    this.#writer.image({ ...file, width: result.width, height: result.height, format: result.format });
    this.#progress.advance();
    return null;
  }

  /** Same content as a file seen before: one image, one more path, unless the labels disagree. */
  async #copy(file: FoundFile, first: Seen): Promise<void> {
    const problemFor = await first.stored;
    if (problemFor) return this.#problem(file.path, problemFor(file.path));
    const conflict = conflictBetween(file, first);
    if (!conflict) {
      first.label ??= file.label;
      first.split ??= file.split;
    }
    this.#writer.path(file, conflict && { path: file.path, ...conflict });
    this.#progress.advance();
  }

  #problem(path: string, problem: FileProblem): void {
    this.#writer.problem({ path, kind: problem.kind, reason: problem.reason });
    this.#progress.advance();
  }

  #track(work: Promise<void>): void {
    const tracked = work
      .catch((err) => {
        this.#fatal ??= err;
      })
      .finally(() => {
        this.#inflight.delete(tracked);
        this.#maybeFlush();
      });
    this.#inflight.add(tracked);
  }

  #maybeFlush(force = false): void {
    if (this.#ended) return;
    const now = this.#ctx.clock();
    if (
      this.#fatal ||
      (!force && this.#writer.pending < this.#ctx.options.batchSize && now - this.#lastFlush < FLUSH_MS)
    )
      return;
    try {
      this.#progress.stored(this.#writer.flush(this.#progress.counters));
    } catch (err) {
      // Called from settling work too, where a throw would go unhandled: the run stops instead.
      this.#fatal ??= err;
    }
    this.#lastFlush = now;
  }

  /** A problem whose file is no longer in the folder is no longer a problem. */
  #forgetVanished(scan: ScanResult): void {
    const present = new Set([...scan.entries.map((e) => e.path), ...scan.problems.map((p) => p.path)]);
    for (const path of problemPathsUnder(this.#ctx.project.db, this.root)) {
      if (!present.has(path)) this.#writer.forgetProblem(path);
    }
  }
}

/** Our own errors already say what happened and what to do; anything else gets a lead-in. */
function failureMessage(err: unknown): string {
  if (err instanceof StudioError || err instanceof ThumbWriteError) return err.message;
  return `The import stopped: ${err instanceof Error ? err.message : String(err)}`;
}

function conflictBetween(file: FoundFile, first: Seen): FileProblem | null {
  if (file.label !== null && first.label !== null && file.label !== first.label) {
    return reasons.labelConflict(first.path, first.label, file.label);
  }
  if (file.split !== null && first.split !== null && file.split !== first.split) {
    return reasons.splitConflict(first.path, first.split, file.split);
  }
  return null;
}
