// Automatic backups: one on open when the newest is over a day old (online backup, without
// holding the open up), one before each migration, the last KEEP_BACKUPS kept, by date.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openProject } from '../../../src-main/services/project/project';
import {
  BACKUP_EVERY_MS,
  backupDir,
  backupName,
  dailyBackup,
  KEEP_BACKUPS,
  listBackups,
} from '../../../src-main/store/backups';
import { openDatabase } from '../../../src-main/store/db';
import { latestVersion, migrations } from '../../../src-main/store/migrations/index';

const tempProject = () => join(mkdtempSync(join(tmpdir(), 'studio-backups-')), 'p');

function rows(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM classes').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('a new project takes no backup; reopening takes one, and not again within a day', async () => {
  const dir = tempProject();
  const created = openProject(dir, { create: true });
  assert.equal(await created.backup, null);
  created.db.prepare("INSERT INTO classes (name, color, created_at) VALUES ('cat', '#000', 1)").run();
  created.close();
  const again = openProject(dir, { create: false });
  const first = await again.backup;
  again.close();
  assert.ok(first && existsSync(first));
  assert.equal(rows(first), 1, 'the backup holds what was committed');
  const third = openProject(dir, { create: false });
  assert.equal(await third.backup, null, 'the newest is less than a day old');
  third.close();
});

test('a day later another is taken; only the newest KEEP_BACKUPS stay, newest first by their names', async () => {
  const dir = tempProject();
  openProject(dir, { create: true }).close();
  const dbFile = join(dir, 'studio.db');
  const db = openDatabase(dbFile);
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let day = 0; day < KEEP_BACKUPS + 2; day++)
    assert.ok(await dailyBackup(db, dbFile, new Date(start + day * (BACKUP_EVERY_MS + 1000))));
  assert.equal(
    await dailyBackup(db, dbFile, new Date(start + (KEEP_BACKUPS + 1) * (BACKUP_EVERY_MS + 1000) + 60_000)),
    null,
  );
  db.close();
  const kept = listBackups(dbFile);
  assert.equal(kept.length, KEEP_BACKUPS);
  assert.equal(kept[0]!.takenAt.getTime(), start + (KEEP_BACKUPS + 1) * (BACKUP_EVERY_MS + 1000));
  assert.deepEqual(
    readdirSync(backupDir(dbFile)).sort(),
    kept.map((b) => b.path.split('/').pop()).sort(),
    'no temp file left',
  );
  assert.equal(backupName(new Date(start)), 'studio-2026-01-01T00-00-00-000Z.db');
});

test('closing the database mid-backup leaves no backup and no temp file', async () => {
  const dir = tempProject();
  openProject(dir, { create: true }).close();
  const dbFile = join(dir, 'studio.db');
  const db = openDatabase(dbFile);
  const pending = dailyBackup(db, dbFile);
  db.close();
  assert.equal(await pending, null);
  assert.deepEqual(readdirSync(backupDir(dbFile)), []);
});

test('an upgrade is preceded by a finished backup at the old version', () => {
  const dir = tempProject();
  openProject(dir, { create: true }).close();
  const dbFile = join(dir, 'studio.db');
  const old = new BetterSqlite3(join(dir, 'old.db'));
  for (const m of migrations.slice(0, -1)) m.up(old);
  old.pragma(`user_version = ${latestVersion - 1}`);
  old.close();
  const fresh = openDatabase(join(dir, 'old.db'));
  fresh.close();
  const kept = listBackups(join(dir, 'old.db'));
  assert.equal(kept.length, 1);
  assert.match(kept[0]!.path, new RegExp(`-before-v${latestVersion - 1}\\.db$`));
  const copy = new BetterSqlite3(kept[0]!.path, { readonly: true });
  assert.equal(copy.pragma('user_version', { simple: true }), latestVersion - 1);
  copy.close();
  assert.ok(existsSync(dbFile));
});
