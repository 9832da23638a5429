// A project is a folder: studio.db beside thumbs/. Opening one also tidies what a killed
// process left behind: imports still marked running, and half-written thumbnails.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { StudioError } from '../../../src-shared/errors';
import type { ProjectInfo } from '../../../src-shared/schemas';
import { openDatabase, schemaVersion, type Database } from '../../store/db';
import { countClasses } from '../../store/repos/classes';
import { countImages } from '../../store/repos/images';
import { finishImport, runningImports } from '../../store/repos/imports';
import { countProblems } from '../../store/repos/problems';

export interface Project {
  dir: string;
  name: string;
  db: Database;
  thumbsDir: string;
  close(): void;
}

export const DB_FILE = 'studio.db';

export function openProject(dir: string, opts: { create: boolean }): Project {
  const abs = resolve(dir);
  const dbFile = join(abs, DB_FILE);
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    throw new StudioError('not-a-folder', `${abs} is a file, not a folder. A project is a folder; choose or create one.`);
  }
  const creating = !existsSync(dbFile);
  if (creating && !opts.create) {
    throw new StudioError('not-found', `${abs} is not a Finetune Studio project (it has no ${DB_FILE}). Create a project there first.`);
  }
  if (creating) mkdirSync(abs, { recursive: true });
  const db = openDatabase(dbFile);
  const thumbsDir = join(abs, 'thumbs');
  mkdirSync(thumbTempDir(thumbsDir), { recursive: true });
  // All 256 fan-out folders up front: made lazily, they cost a first import a few percent.
  if (creating) for (let i = 0; i < 256; i++) mkdirSync(join(thumbsDir, i.toString(16).padStart(2, '0')), { recursive: true });
  removeDeadTempFiles(thumbsDir);
  interruptOrphanedImports(db, Date.now());
  return { dir: abs, name: basename(abs), db, thumbsDir, close: () => db.close() };
}

export function projectInfo(p: Project): ProjectInfo {
  return {
    path: p.dir,
    name: p.name,
    schemaVersion: schemaVersion(p.db),
    images: countImages(p.db),
    classes: countClasses(p.db),
    problems: countProblems(p.db),
  };
}

/** Where thumbnails are written before they are renamed into place. */
export function thumbTempDir(thumbsDir: string): string {
  return join(thumbsDir, '.tmp');
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An import whose process is gone will never finish: say so, so the user imports again. */
function interruptOrphanedImports(db: Database, now: number): void {
  for (const run of runningImports(db)) {
    if (!isProcessAlive(run.pid)) finishImport(db, run.id, 'interrupted', now, 'The process running this import ended before it finished.');
  }
}

/** Temp files are named <hash>.<pid>.tmp; only a dead process's are removed, since another may be importing now. */
function removeDeadTempFiles(thumbsDir: string): void {
  const dir = thumbTempDir(thumbsDir);
  for (const name of readdirSync(dir)) {
    const pid = Number(name.split('.')[1]);
    if (!Number.isInteger(pid) || !isProcessAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}
