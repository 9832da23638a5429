// Commits an import's results in small transactions. Rows are queued as files finish and
// written together, so a kill loses at most the last batch, which the next import redoes.
// Each batch takes the write lock at BEGIN (waiting for a labeler's edit to finish) and is
// short, so edits get in between batches. Counts and thumbnails follow the commit: what a
// summary says was stored was stored, and a thumbnail whose row failed is never left.
import type { Split } from '../../../src-shared/schemas';
import { writeTx, type Database } from '../../store/db';
import { ensureClass } from '../../store/repos/classes';
import { fillMissingLabel, imageIdByHash, insertImage, upsertPath, type PathStat } from '../../store/repos/images';
import { saveCounters, type ImportCounters } from '../../store/repos/imports';
import { deleteProblem, upsertProblem } from '../../store/repos/problems';
import type { ThumbWriter } from './decode';
import type { PathProblem } from './scan';

export interface FoundFile {
  path: string;
  stat: PathStat;
  hash: string;
  label: string | null;
  split: Split | null;
}

export interface NewImageFile extends FoundFile {
  width: number;
  height: number;
  format: string;
}

type Op =
  | { kind: 'image'; file: NewImageFile }
  /** A path whose content is already an image: a copy, or a file touched but unchanged. */
  | { kind: 'path'; file: FoundFile; conflict: PathProblem | null }
  | { kind: 'problem'; problem: PathProblem }
  | { kind: 'forget-problem'; path: string };

/** What one committed batch stored, by the counter it adds to. */
export interface Stored {
  imported: number;
  skipped: number;
  problems: number;
}

export class ImportWriter {
  #ops: Op[] = [];
  #closed = false;
  readonly #classIds = new Map<string, number>();

  constructor(
    readonly db: Database,
    readonly importId: number,
    readonly clock: () => number,
    readonly thumbs: ThumbWriter,
  ) {}

  get pending(): number {
    return this.#ops.length;
  }

  image(file: NewImageFile): void {
    this.#push({ kind: 'image', file });
  }

  path(file: FoundFile, conflict: PathProblem | null): void {
    this.#push({ kind: 'path', file, conflict });
  }

  problem(problem: PathProblem): void {
    this.#push({ kind: 'problem', problem });
  }

  forgetProblem(path: string): void {
    this.#push({ kind: 'forget-problem', path });
  }

  /**
   * Writes everything queued, and the import's counters with this batch added, in one
   * transaction; returns what it stored. If it fails, nothing of the batch stays.
   */
  flush(counters: ImportCounters): Stored {
    const stored: Stored = { imported: 0, skipped: 0, problems: 0 };
    if (this.#closed) return stored;
    const ops = this.#ops;
    this.#ops = [];
    // Class ids learnt inside a transaction that rolls back would point at nothing.
    const classIds = new Map(this.#classIds);
    try {
      writeTx(this.db, () => {
        for (const op of ops) this.#apply(op, stored);
        saveCounters(this.db, this.importId, add(counters, stored));
      });
    } catch (err) {
      this.#classIds.clear();
      for (const [name, id] of classIds) this.#classIds.set(name, id);
      this.#discardThumbs(ops);
      throw err;
    }
    for (const op of ops) if (op.kind === 'image') this.thumbs.publish(op.file.hash);
    return stored;
  }

  /** After this, work still finishing in the background is dropped (the import was cancelled). */
  close(counters: ImportCounters): Stored {
    const stored = this.flush(counters);
    this.#closed = true;
    return stored;
  }

  /** Drops what is queued without writing it (the store failed), and stops taking more. */
  abandon(): void {
    this.#discardThumbs(this.#ops);
    this.#ops = [];
    this.#closed = true;
  }

  #push(op: Op): void {
    if (!this.#closed) this.#ops.push(op);
    else this.#discardThumbs([op]);
  }

  #discardThumbs(ops: Op[]): void {
    for (const op of ops) if (op.kind === 'image') this.thumbs.discard(op.file.hash);
  }

  #apply(op: Op, stored: Stored): void {
    const now = this.clock();
    if (op.kind === 'problem') {
      stored.problems++;
      return upsertProblem(this.db, op.problem, now, this.importId);
    }
    if (op.kind === 'forget-problem') return deleteProblem(this.db, op.path);
    const { file } = op;
    // A conflicting copy's folder must not create a class that would hold nothing.
    const conflict = op.kind === 'path' ? op.conflict : null;
    const classId = file.label === null || conflict ? null : this.#classId(file.label, now);
    let imageId: number;
    if (op.kind === 'image') {
      const { hash, split, width, height, format } = file as NewImageFile;
      const before = imageIdByHash(this.db, hash);
      imageId = insertImage(this.db, {
        hash,
        classId,
        split,
        width,
        height,
        format,
        bytes: file.stat.size,
        addedAt: now,
        importId: this.importId,
      });
      // Another process may have stored the same content a moment ago: then it is a copy.
      if (before === null) stored.imported++;
      else stored.skipped++;
    } else {
      if (conflict) stored.problems++;
      else stored.skipped++;
      const id = imageIdByHash(this.db, file.hash);
      if (id === null) throw new Error(`Copy ${file.path} refers to an image that was never stored`);
      imageId = id;
      if (!conflict) fillMissingLabel(this.db, imageId, classId, file.split);
    }
    upsertPath(this.db, file.path, imageId, file.stat, this.importId);
    if (conflict) upsertProblem(this.db, conflict, now, this.importId);
    else deleteProblem(this.db, file.path);
  }

  #classId(name: string, now: number): number {
    let id = this.#classIds.get(name);
    if (id === undefined) {
      id = ensureClass(this.db, name, now);
      this.#classIds.set(name, id);
    }
    return id;
  }
}

function add(c: ImportCounters, s: Stored): ImportCounters {
  return { ...c, imported: c.imported + s.imported, skipped: c.skipped + s.skipped, problems: c.problems + s.problems };
}
