// Commits an import's results in small transactions. Rows are queued as files finish and
// written together, so a kill loses at most the last batch, which the next import redoes.
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import { ensureClass } from '../../store/repos/classes';
import { fillMissingLabel, imageIdByHash, insertImage, upsertPath, type PathStat } from '../../store/repos/images';
import { saveCounters, type ImportCounters } from '../../store/repos/imports';
import { deleteProblem, upsertProblem } from '../../store/repos/problems';
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

export class ImportWriter {
  #ops: Op[] = [];
  #closed = false;
  readonly #classIds = new Map<string, number>();

  constructor(
    readonly db: Database,
    readonly importId: number,
    readonly clock: () => number,
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

  /** Writes everything queued, and the import's counters, in one transaction. */
  flush(counters: ImportCounters): void {
    if (this.#closed) return;
    const ops = this.#ops;
    this.#ops = [];
    this.db.transaction(() => {
      for (const op of ops) this.#apply(op);
      saveCounters(this.db, this.importId, counters);
    })();
  }

  /** After this, work still finishing in the background is dropped (the import was cancelled). */
  close(counters: ImportCounters): void {
    this.flush(counters);
    this.#closed = true;
  }

  #push(op: Op): void {
    if (!this.#closed) this.#ops.push(op);
  }

  #apply(op: Op): void {
    const now = this.clock();
    if (op.kind === 'problem') return upsertProblem(this.db, op.problem, now, this.importId);
    if (op.kind === 'forget-problem') return deleteProblem(this.db, op.path);
    const { file } = op;
    // A conflicting copy's folder must not create a class that would hold nothing.
    const conflict = op.kind === 'path' ? op.conflict : null;
    const classId = file.label === null || conflict ? null : this.#classId(file.label, now);
    let imageId: number;
    if (op.kind === 'image') {
      const { hash, split, width, height, format } = file as NewImageFile;
      imageId = insertImage(this.db, { hash, classId, split, width, height, format, bytes: file.stat.size, addedAt: now, importId: this.importId });
    } else {
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
