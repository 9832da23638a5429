// Puts a backup back as a project's studio.db. The file it replaces (damaged or not) is
// kept aside, renamed with its -wal and -shm, never deleted: a user may still want to
// rescue its last commits with sqlite3's .recover.
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { StudioError } from '../../../src-shared/errors';
import { listBackups } from '../../store/backups';

export interface Restored {
  project: string;
  from: string;
  /** Where the replaced studio.db and its -wal/-shm now are. */
  keptAside: string[];
}

/** "ok", or what integrity_check found (first lines), or why the file does not open as SQLite. */
export function integrityOf(file: string): string {
  let db: BetterSqlite3.Database | null = null;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check(3)') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } catch (err) {
    return (err as Error).message;
  } finally {
    db?.close();
  }
}

function chooseBackup(dbFile: string, from: string | undefined): string {
  if (from !== undefined) {
    const abs = resolve(from);
    if (!existsSync(abs))
      throw new StudioError(
        'not-found',
        `${abs} does not exist; name a backup file (see the project's backups/ folder), or leave out --from to take the newest.`,
      );
    return abs;
  }
  const newest = listBackups(dbFile)[0];
  if (!newest)
    throw new StudioError(
      'not-found',
      `${dbFile} has no backup in its backups/ folder; name one with --from FILE, or rescue the file with sqlite3's .recover.`,
    );
  return newest.path;
}

/**
 * Copies the backup beside studio.db first (so a failed copy changes nothing), checks it,
 * then moves the current files aside and renames the copy into place. The project must not
 * be open anywhere else meanwhile.
 */
export function restoreProject(dir: string, from?: string, now = new Date()): Restored {
  const project = resolve(dir);
  const dbFile = join(project, 'studio.db');
  const source = chooseBackup(dbFile, from);
  const staged = `${dbFile}.restoring`;
  copyFileSync(source, staged);
  const check = integrityOf(staged);
  // A read-only look at a WAL file leaves an empty -shm (and -wal) that must not follow it.
  for (const suffix of ['-wal', '-shm']) rmSync(staged + suffix, { force: true });
  if (check !== 'ok') {
    rmSync(staged, { force: true });
    throw new StudioError(
      'corrupt-project',
      `${source} cannot be restored: it fails SQLite's integrity check (${check}). Choose an older backup with --from FILE.`,
    );
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const keptAside: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(dbFile + suffix)) continue;
    const aside = `${dbFile}.before-restore-${stamp}${suffix}`;
    renameSync(dbFile + suffix, aside);
    keptAside.push(aside);
  }
  renameSync(staged, dbFile);
  return { project, from: source, keptAside };
}
