import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { migrate } from '../../../../src-main/store/db';

test('0004-curation adds reduction, channels, grayscale, group_key and fold, with checks', () => {
  const db = new BetterSqlite3(':memory:');
  migrate(db);
  const cols = (db.prepare('PRAGMA table_info(images)').all() as { name: string }[]).map((c) => c.name);
  for (const c of ['reduction', 'channels', 'grayscale', 'group_key', 'fold']) assert.ok(cols.includes(c), c);
  const insert = db.prepare(
    "INSERT INTO images (hash, width, height, format, bytes, added_at) VALUES (?, 1, 1, 'png', 1, 0)",
  );
  const id = Number(insert.run('a'.repeat(64)).lastInsertRowid);
  db.prepare('UPDATE images SET reduction = ?, channels = 3, grayscale = 1, group_key = ?, fold = 2 WHERE id = ?').run(
    Buffer.alloc(1024),
    'P1',
    id,
  );
  const row = db
    .prepare('SELECT length(reduction) AS n, grayscale, group_key AS g, fold FROM images WHERE id = ?')
    .get(id);
  assert.deepEqual({ ...(row as object) }, { n: 1024, grayscale: 1, g: 'P1', fold: 2 });
  assert.throws(() => db.prepare('UPDATE images SET reduction = ? WHERE id = ?').run(Buffer.alloc(10), id), /CHECK/);
  assert.throws(() => db.prepare('UPDATE images SET grayscale = 2 WHERE id = ?').run(id), /CHECK/);
  assert.throws(() => db.prepare('UPDATE images SET fold = -1 WHERE id = ?').run(id), /CHECK/);
  db.close();
});
