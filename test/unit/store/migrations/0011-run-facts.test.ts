import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { migrations } from '../../../../src-main/store/migrations';
import { migrate } from '../../../../src-main/store/db';

test('0011-run-facts: runs stored before it get input size, planned epochs and training size from their config and manifest', () => {
  const db = new BetterSqlite3(':memory:');
  for (const m of migrations.filter((m) => m.version <= 10)) m.up(db);
  db.pragma('user_version = 10');
  const body = JSON.stringify({ splits: { train: ['a', 'b', 'c'], val: ['d'], test: [] } });
  const manifest = Number(
    db.prepare("INSERT INTO manifests (digest, body, created_at) VALUES ('x', ?, 0)").run(body).lastInsertRowid,
  );
  const insert = db.prepare(
    "INSERT INTO runs (name, status, config, seed, backbone_id, classes, manifest_id, created_at) VALUES (?, 'done', ?, 1, 'b', '[]', ?, 0)",
  );
  const phase1 = { epochs: 7, optimizer: { kind: 'adam', lr: 0.001 } };
  insert.run('two phases', JSON.stringify({ inputSize: 160, phase1, phase2: { ...phase1, epochs: 3 } }), manifest);
  insert.run('one phase', JSON.stringify({ inputSize: 224, phase1, phase2: null }), null);
  insert.run('no size, no phase2 key', JSON.stringify({ phase1 }), manifest);
  migrate(db);
  const rows = db
    .prepare(
      'SELECT name, input_size AS size, phase1_epochs AS p1, phase2_epochs AS p2, train_count AS train FROM runs ORDER BY id',
    )
    .all();
  assert.deepEqual(
    rows.map((r) => ({ ...(r as object) })),
    [
      { name: 'two phases', size: 160, p1: 7, p2: 3, train: 3 },
      { name: 'one phase', size: 224, p1: 7, p2: null, train: null },
      { name: 'no size, no phase2 key', size: null, p1: 7, p2: null, train: 3 },
    ],
  );
  db.close();
});
