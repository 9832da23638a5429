// Opens a project's SQLite database: WAL so readers (the UI) never wait on an import's
// writes, foreign keys on (SQLite leaves them off by default), then migrations. Every
// failure of the file itself (busy, read-only, full, damaged) leaves here as a StudioError
// that names the file and says what to do.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { StudioError } from '../../src-shared/errors';
import { backupBeforeUpgrade, backupDir, describeBackup, listBackups } from './backups';
import { latestVersion, migrations } from './migrations/index';

export type Database = BetterSqlite3.Database;

/**
 * How long a write waits for another connection's write lock before giving up. SQLite's
 * busy handler sleeps and retries within it; it applies to BEGIN IMMEDIATE (and to a lone
 * statement), never to a deferred transaction that read first and then tries to write.
 * The handler is not fair (a waiter sleeps up to 100 ms between tries while writers in a
 * tight loop take the lock at once): with five labeling clients and an import, one client
 * once waited past 10 s, so the limit is 30 s.
 */
export const BUSY_TIMEOUT_MS = 30_000;

export interface OpenOptions {
  /** Opens without ever writing: no WAL switch, no migration. */
  readOnly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Database {
  let db: Database;
  try {
    db = opts.readOnly ? openReadOnly(file) : new BetterSqlite3(file);
  } catch (err) {
    throw storeError(err, file);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    checkIntact(db);
    if (opts.readOnly) checkReadable(db, file);
    else prepareForWriting(db, file);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw storeError(err, file);
  }
}

/**
 * A WAL database opened read-only needs its -shm file, which SQLite cannot create in a
 * read-only folder; closed cleanly, the project has none (nor a -wal). Then the file is
 * read into memory, marked as a rollback-journal file (header bytes 18-19) since an
 * in-memory copy has no WAL, and opened read-only: nothing can change the file meanwhile.
 */
function openReadOnly(file: string): Database {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    schemaVersion(db);
    return db;
  } catch (err) {
    db.close();
    if (sqliteCode(err) !== 'SQLITE_CANTOPEN' || existsSync(`${file}-wal`)) throw err;
  }
  const image = readFileSync(file);
  if (image.length >= 20) image[18] = image[19] = 1;
  const copy = new BetterSqlite3(image, { readonly: true });
  files.set(copy, file);
  return copy;
}

function prepareForWriting(db: Database, file: string): void {
  db.pragma('journal_mode = WAL');
  // With WAL, NORMAL survives any crash of the app; only a power cut may drop the last
  // commits (never corrupting), and it spares an fsync per import batch.
  db.pragma('synchronous = NORMAL');
  backupBeforeMigrating(db, file);
  migrate(db, file);
}

/** A read-only project can be read only at the schema this code writes. */
function checkReadable(db: Database, file: string): void {
  const version = schemaVersion(db);
  refuseTooNew(version, file);
  if (version < latestVersion) {
    throw new StudioError(
      'read-only',
      `${file} needs an upgrade (schema ${version} -> ${latestVersion}) before this version can read it, but it is read-only. ` +
        'Make the project folder and studio.db writable once, open it, then it can be read-only again.',
    );
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The file behind each connection opened from a copy in memory (a read-only project). */
const files = new WeakMap<Database, string>();

/** The database's file, for messages. */
export function fileOf(db: Database): string {
  return files.get(db) ?? db.name;
}

/** Runs `fn` in a write transaction that takes the write lock at BEGIN, waiting for it within BUSY_TIMEOUT_MS. */
export function writeTx<T>(db: Database, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (err) {
    throw storeError(err, fileOf(db));
  }
}

/**
 * An upgrade rewrites tables: a snapshot comes first (backups/), so a failed or unwanted
 * upgrade (or a later corruption) can go back to it.
 */
function backupBeforeMigrating(db: Database, file: string): void {
  const version = schemaVersion(db);
  if (version === 0 || version >= latestVersion || file === ':memory:') return;
  backupBeforeUpgrade(db, file, version);
}

/**
 * quick_check reads every page and checks each b-tree's structure, without comparing
 * indexes to their tables (measured: 54 ms for a 20 MB project), so a damaged page is
 * found when the project opens, not by whichever command first reads it.
 */
function checkIntact(db: Database): void {
  const rows = db.pragma('quick_check(3)', { simple: false }) as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((t) => t !== 'ok');
  if (problems.length > 0) throw Object.assign(new Error(problems.join('; ')), { code: 'SQLITE_CORRUPT' });
}

function refuseTooNew(current: number, file: string): void {
  if (current <= latestVersion) return;
  throw new StudioError(
    'project-too-new',
    `${file} was written by a newer Finetune Studio (schema version ${current}; this version understands up to ${latestVersion}). ` +
      'Update Finetune Studio to open this project; this version leaves it untouched.',
  );
}

/** Brings the schema up to date, one transaction per migration so a failure leaves the last good version. */
export function migrate(db: Database, file = ':memory:'): void {
  const current = schemaVersion(db);
  refuseTooNew(current, file);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    writeTx(db, () => {
      migration.up(db);
      // PRAGMA takes no bound parameters; the version is an integer from our own list.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    });
  }
}

const sqliteCode = (err: unknown): string => ((err as { code?: unknown })?.code as string) ?? '';

/** True when `err` says the disk (or the database's page limit) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = sqliteCode(err);
  return (
    code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || (err instanceof StudioError && err.code === 'disk-full')
  );
}

/**
 * Turns SQLite's failures of the file itself into a StudioError that names the file and
 * says what to do; anything else (a constraint, our own bug) passes through unchanged.
 */
export function storeError(err: unknown, file: string): unknown {
  if (err instanceof StudioError) return err;
  const code = sqliteCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StudioError(
      'busy',
      `The project is busy: another studio window or command is writing to ${file} and did not finish within ${BUSY_TIMEOUT_MS / 1000} s. ` +
        'Nothing of this change was saved; try again.',
    );
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new StudioError(
      'disk-full',
      `Disk full: ${file} could not grow (SQLite: ${detail}). Free some space on that disk, then try again; what was saved before stays.`,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || (code === 'SQLITE_CANTOPEN' && existsSync(file))) {
    return new StudioError(
      'read-only',
      `${file} is read-only for this studio (SQLite: ${detail}). Reading works; to change the project, make its folder and studio.db writable, or copy the folder somewhere writable.`,
    );
  }
  if (isCorrupt(err)) return corruptError(file, detail);
  return err;
}

/** True when `err` says the database file is damaged or is no database at all. */
export function isCorrupt(err: unknown): boolean {
  const code = sqliteCode(err);
  return (
    code.startsWith('SQLITE_CORRUPT') ||
    code === 'SQLITE_NOTADB' ||
    (err instanceof StudioError && err.code === 'corrupt-project')
  );
}

export function corruptError(file: string, detail: string): StudioError {
  const wal = `${file}-wal`;
  const walText = existsSync(wal)
    ? ` Its write-ahead log ${wal} (${statSync(wal).size} bytes) holds the latest commits; keep it beside the file.`
    : ` There is no write-ahead log (${wal}) beside it.`;
  const newest = listBackups(file)[0];
  const project = dirname(file);
  const backupText = newest
    ? `The newest backup is ${describeBackup(newest)}. To go back to it, run \`studio restore ${project}\`; the damaged file is kept aside, renamed, never deleted.`
    : `No backup was found in ${backupDir(file)}. To rescue what is left, copy the project folder aside first, then run \`sqlite3 studio.db ".recover" | sqlite3 recovered.db\` there.`;
  return new StudioError(
    'corrupt-project',
    `${file} is damaged and was not opened (SQLite: ${detail}). Nothing was written to it.${walText} ${backupText}`,
  );
}
