// A project is a folder: studio.db beside thumbs/. Opening one also tidies what a killed
// process left behind: imports still marked running, and half-written thumbnails. A
// project that cannot be written (a read-only folder, disk or mount) opens read-only when
// the caller only reads.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { StudioError } from '../../../src-shared/errors';
import type { ProjectInfo } from '../../../src-shared/schemas';
import { dailyBackup } from '../../store/backups';
import { corruptError, isCorrupt, openDatabase, schemaVersion, type Database } from '../../store/db';
import { countClasses } from '../../store/repos/classes';
import { countImages } from '../../store/repos/images';
import { finishImport, runningImports } from '../../store/repos/imports';
import { countProblems } from '../../store/repos/problems';
import { isProcessAlive } from './process-alive';
import { thumbTempDir, tidyThumbs } from './thumb-staging';

export { isProcessAlive, thumbTempDir };

export interface Project {
  dir: string;
  name: string;
  db: Database;
  thumbsDir: string;
  /** Opened without write access: every write answers a 'read-only' StudioError. */
  readOnly: boolean;
  /** The daily backup started at open: resolves to its path, or null when none was due (or it was cut short by close). */
  backup: Promise<string | null>;
  close(): void;
}

export interface OpenProjectOptions {
  create: boolean;
  /**
   * 'write' (the default) refuses a project that cannot be written; 'read' opens such a
   * project read-only, for commands and windows that only look.
   */
  access?: 'write' | 'read';
  /** Opens read-only even when the files are writable (tests, and a user who asks). */
  readOnly?: boolean;
}

export const DB_FILE = 'studio.db';

export function openProject(dir: string, opts: OpenProjectOptions): Project {
  const abs = resolve(dir);
  const dbFile = join(abs, DB_FILE);
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    throw new StudioError(
      'not-a-folder',
      `${abs} is a file, not a folder. A project is a folder; choose or create one.`,
    );
  }
  const creating = !existsSync(dbFile);
  if (creating && !opts.create) {
    throw new StudioError(
      'not-found',
      `${abs} is not a Finetune Studio project (it has no ${DB_FILE}). Create a project there first.`,
    );
  }
  const readOnly = opts.readOnly === true || (!creating && !writable(abs, dbFile));
  if (readOnly && opts.access !== 'read') throw readOnlyRefusal(abs, dbFile);
  try {
    return readOnly ? openReadOnly(abs, dbFile) : openWritable(abs, dbFile, creating);
  } catch (err) {
    // Damage found past the open itself (tidying reads imports and thumbnails) says the same.
    throw isCorrupt(err) && !(err instanceof StudioError) ? corruptError(dbFile, (err as Error).message) : err;
  }
}

function openWritable(abs: string, dbFile: string, creating: boolean): Project {
  if (creating) mkdirSync(abs, { recursive: true });
  const db = openDatabase(dbFile);
  const thumbsDir = join(abs, 'thumbs');
  try {
    // All 256 fan-out folders up front: made lazily, they cost a first import a few percent.
    if (creating)
      for (let i = 0; i < 256; i++) mkdirSync(join(thumbsDir, i.toString(16).padStart(2, '0')), { recursive: true });
    tidy(db, thumbsDir);
  } catch (err) {
    db.close();
    throw err;
  }
  const backup = creating ? Promise.resolve(null) : dailyBackup(db, dbFile);
  return { dir: abs, name: basename(abs), db, thumbsDir, readOnly: false, backup, close: () => db.close() };
}

function openReadOnly(abs: string, dbFile: string): Project {
  const db = openDatabase(dbFile, { readOnly: true });
  return {
    dir: abs,
    name: basename(abs),
    db,
    thumbsDir: join(abs, 'thumbs'),
    readOnly: true,
    backup: Promise.resolve(null),
    close: () => db.close(),
  };
}

/**
 * Tidying is best effort: on a full disk it may fail, and the project must still open so
 * the user can look at it (`studio runs`, `studio info`) and free space.
 */
function tidy(db: Database, thumbsDir: string): void {
  try {
    tidyThumbs(db, thumbsDir);
    interruptOrphanedImports(db, Date.now());
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!/^(SQLITE_FULL|ENOSPC|disk-full)/.test(code)) throw err;
  }
}

/** Whether this process may write the folder and the database; root on a read-only mount may not. */
function writable(abs: string, dbFile: string): boolean {
  try {
    accessSync(abs, constants.W_OK);
    accessSync(dbFile, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** What a command that changes the project says when it cannot be written. */
export function readOnlyRefusal(abs: string, dbFile: string): StudioError {
  return new StudioError(
    'read-only',
    `${dbFile} is read-only (the project folder ${abs} or the file cannot be written), and this changes the project. ` +
      'Make the folder and studio.db writable (e.g. chmod u+w), or copy the project folder somewhere writable; reading commands (info, runs, labels export, eval) work as it is.',
  );
}

export function projectInfo(p: Project): ProjectInfo {
  return {
    path: p.dir,
    name: p.name,
    schemaVersion: schemaVersion(p.db),
    images: countImages(p.db),
    classes: countClasses(p.db),
    problems: countProblems(p.db),
    readOnly: p.readOnly,
  };
}

/** An import whose process is gone will never finish: say so, so the user imports again. */
function interruptOrphanedImports(db: Database, now: number): void {
  for (const run of runningImports(db)) {
    if (!isProcessAlive(run.pid))
      finishImport(db, run.id, 'interrupted', now, 'The process running this import ended before it finished.');
  }
}
