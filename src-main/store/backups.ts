// Snapshots of a project's database in its backups/ folder, named by their UTC time so the
// names sort by age: one when a project opens and the newest is over a day old (SQLite's
// online backup, page by page between other work, so opening does not wait), and one before
// every schema upgrade (VACUUM INTO, synchronous: the upgrade must not start without it).
// The last KEEP_BACKUPS are kept.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Database } from './db';
import { sql } from './statements';

export const BACKUP_DIR = 'backups';
export const KEEP_BACKUPS = 5;
export const BACKUP_EVERY_MS = 24 * 60 * 60 * 1000;

export interface Backup {
  path: string;
  /** When it was taken, from its name. */
  takenAt: Date;
}

const NAME = /^studio-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(-before-v\d+)?\.db$/;

export function backupDir(dbFile: string): string {
  return join(dirname(dbFile), BACKUP_DIR);
}

/** `studio-2026-12-07T13-05-09-123Z.db`: an ISO time with the colons a file name cannot hold replaced. */
export function backupName(at: Date, beforeVersion?: number): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return `studio-${stamp}${beforeVersion === undefined ? '' : `-before-v${beforeVersion}`}.db`;
}

/** The project's backups, newest first. */
export function listBackups(dbFile: string): Backup[] {
  const dir = backupDir(dbFile);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, m: NAME.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map(({ name, m }) => ({ path: join(dir, name), takenAt: new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) }))
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || basename(b.path).localeCompare(basename(a.path)));
}

function prune(dbFile: string): void {
  for (const old of listBackups(dbFile).slice(KEEP_BACKUPS)) rmSync(old.path, { force: true });
}

/** Before migration `version` runs: complete before returning, or throw (and the upgrade does not start). */
export function backupBeforeUpgrade(db: Database, dbFile: string, version: number, now = new Date()): string {
  mkdirSync(backupDir(dbFile), { recursive: true });
  const path = join(backupDir(dbFile), backupName(now, version));
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  sql(db, 'VACUUM INTO ?').run(tmp);
  renameSync(tmp, path);
  prune(dbFile);
  return path;
}

export function backupDue(dbFile: string, now: number): boolean {
  const newest = listBackups(dbFile)[0];
  return !newest || now - newest.takenAt.getTime() > BACKUP_EVERY_MS;
}

/**
 * The daily snapshot, in the background: better-sqlite3 copies 100 pages per turn of the
 * event loop. Closing the database first aborts it and leaves only a temp file, removed here;
 * the next open tries again. Resolves to the backup's path, or null when none was made.
 */
export async function dailyBackup(db: Database, dbFile: string, now = new Date()): Promise<string | null> {
  if (!backupDue(dbFile, now.getTime())) return null;
  mkdirSync(backupDir(dbFile), { recursive: true });
  const path = join(backupDir(dbFile), backupName(now));
  const tmp = `${path}.tmp`;
  try {
    await db.backup(tmp);
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true });
    return null;
  }
  prune(dbFile);
  return path;
}

/** "2026-12-07 13:05 UTC, 3 hours ago": for the messages that point at a backup. */
export function describeBackup(b: Backup, now = Date.now()): string {
  const hours = Math.round((now - b.takenAt.getTime()) / 3_600_000);
  const ago =
    hours < 1 ? 'less than an hour ago' : hours < 48 ? `${hours} hours ago` : `${Math.round(hours / 24)} days ago`;
  const size = existsSync(b.path) ? `, ${statSync(b.path).size.toLocaleString('en')} bytes` : '';
  return `${b.path} (taken ${b.takenAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${ago}${size})`;
}
