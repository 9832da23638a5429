import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { StudioError } from '../../../../src-shared/errors';
import { migrate, openDatabase, schemaVersion } from '../../../../src-main/store/db';
import { m0001Initial } from '../../../../src-main/store/migrations/0001-initial';
import { latestVersion, migrations } from '../../../../src-main/store/migrations/index';

const tables = (db: BetterSqlite3.Database) =>
  db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
    name: string;
    sql: string;
  }[];

describe('migrations', () => {
  test('are numbered 1, 2, 3 ... in order, with distinct names', () => {
    assert.deepEqual(
      migrations.map((m) => m.version),
      migrations.map((_, i) => i + 1),
    );
    assert.equal(new Set(migrations.map((m) => m.name)).size, migrations.length);
    assert.equal(latestVersion, migrations.length);
  });

  test('0001-initial creates STRICT tables that reject wrong types and enforce keys', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    db.transaction(() => m0001Initial.up(db))();
    const made = tables(db);
    assert.deepEqual(
      made.map((t) => t.name),
      ['classes', 'image_paths', 'images', 'imports', 'problems'],
    );
    for (const t of made) assert.match(t.sql, /\)\s*STRICT$/, `${t.name} is STRICT`);
    assert.throws(
      () => db.prepare("INSERT INTO classes (name, color, created_at) VALUES ('a', '#fff', 'soon')").run(),
      /cannot store TEXT value in INTEGER/,
    );
    assert.throws(
      () =>
        db
          .prepare(
            "INSERT INTO images (hash, class_id, width, height, format, bytes, added_at) VALUES (?, 99, 1, 1, 'png', 1, 0)",
          )
          .run('a'.repeat(64)),
      /FOREIGN KEY/,
    );
    assert.throws(
      () => db.prepare("INSERT INTO imports (root, status, pid, started_at) VALUES ('/x', 'paused', 1, 0)").run(),
      /CHECK/,
    );
    db.close();
  });

  test('migrate brings a new database to the latest version, and a second run changes nothing', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    assert.equal(schemaVersion(db), latestVersion);
    const before = tables(db);
    migrate(db);
    assert.deepEqual(tables(db), before);
    db.close();
  });

  test('a failing migration leaves the last good version and no half-made tables', () => {
    const db = new BetterSqlite3(':memory:');
    const bad = {
      version: 1,
      name: 'bad',
      up: (d: BetterSqlite3.Database) => d.exec('CREATE TABLE t (x INTEGER) STRICT; SELECT nope FROM missing;'),
    };
    assert.throws(() => db.transaction(() => (bad.up(db), db.pragma('user_version = 1')))());
    assert.equal(schemaVersion(db), 0);
    assert.deepEqual(tables(db), []);
    db.close();
  });
});

describe('openDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'studio-db-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('switches on WAL, foreign keys and a busy timeout', () => {
    const db = openDatabase(join(dir, 'a.db'));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
    assert.equal(schemaVersion(db), latestVersion);
    db.close();
  });

  test('refuses a database written by a newer version, saying which and what to do', () => {
    const file = join(dir, 'newer.db');
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${latestVersion + 7}`);
    raw.close();
    assert.throws(
      () => openDatabase(file),
      (err: unknown) =>
        err instanceof StudioError &&
        err.code === 'project-too-new' &&
        err.message.includes(file) &&
        err.message.includes(`schema version ${latestVersion + 7}`) &&
        /Update Finetune Studio/.test(err.message),
    );
    const again = new BetterSqlite3(file);
    assert.equal(again.pragma('user_version', { simple: true }), latestVersion + 7, 'left untouched');
    again.close();
  });
});
