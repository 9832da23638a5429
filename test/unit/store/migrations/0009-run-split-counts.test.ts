import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { migrations } from '../../../../src-main/store/migrations';
import { migrate } from '../../../../src-main/store/db';

test('0009-run-split-counts: runs stored before it get their validation and test sizes from their frozen manifest', () => {
  const db = new BetterSqlite3(':memory:');
  for (const m of migrations.filter((m) => m.version <= 8)) m.up(db);
  db.pragma('user_version = 8');
  const body = JSON.stringify({ splits: { train: ['a', 'b', 'c'], val: ['d', 'e'], test: ['f', 'g', 'h', 'i'] } });
  const manifest = Number(
    db.prepare("INSERT INTO manifests (digest, body, created_at) VALUES ('x', ?, 0)").run(body).lastInsertRowid,
  );
  const insert = db.prepare(
    "INSERT INTO runs (name, status, config, seed, backbone_id, classes, manifest_id, created_at) VALUES (?, 'done', '{}', 1, 'b', '[]', ?, 0)",
  );
  insert.run('with', manifest);
  insert.run('without', null);
  migrate(db);
  const rows = db.prepare('SELECT name, val_count AS v, test_count AS t FROM runs ORDER BY id').all();
  assert.deepEqual(
    rows.map((r) => ({ ...(r as object) })),
    [
      { name: 'with', v: 2, t: 4 },
      { name: 'without', v: null, t: null },
    ],
  );
  db.close();
});
