// Opens a project's SQLite database: WAL so readers (the UI) never wait on an import's
// writes, foreign keys on (SQLite leaves them off by default), then migrations.
import BetterSqlite3 from 'better-sqlite3';
import { StudioError } from '../../src-shared/errors';
import { latestVersion, migrations } from './migrations/index';

export type Database = BetterSqlite3.Database;

export function openDatabase(file: string): Database {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    // With WAL, NORMAL survives any crash of the app; only a power cut may drop the last
    // commits (never corrupting), and it spares an fsync per import batch.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Another process (the CLI beside the app) may hold the write lock for a moment.
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the schema up to date, one transaction per migration so a failure leaves the last good version. */
export function migrate(db: Database, file = ':memory:'): void {
  const current = schemaVersion(db);
  if (current > latestVersion) {
    throw new StudioError(
      'project-too-new',
      `${file} was written by a newer Finetune Studio (schema version ${current}; this version understands up to ${latestVersion}). ` +
        'Update Finetune Studio to open this project; this version leaves it untouched.',
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      // PRAGMA takes no bound parameters; the version is an integer from our own list.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    })();
  }
}
