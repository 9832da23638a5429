import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { latestVersion, migrations } from '../../../../src-main/store/migrations';
import { migrate } from '../../../../src-main/store/db';

test('0006-nsfwjs-backbone-ids: runs stored on the nsfwjs weights keep them under their new ids; other runs are untouched', () => {
  const db = new BetterSqlite3(':memory:');
  for (const m of migrations.filter((m) => m.version <= 5)) m.up(db);
  db.pragma('user_version = 5');
  const insert = db.prepare(
    "INSERT INTO runs (name, status, config, seed, backbone_id, classes, created_at) VALUES (?, 'done', ?, 1, ?, '[]', 0)",
  );
  for (const id of ['mobilenet_v2', 'inception_v3', 'my_folder_model'])
    insert.run(id, JSON.stringify({ backboneId: id, inputSize: 96, head: { pooling: 'avg' } }), id);
  migrate(db);
  assert.equal(db.pragma('user_version', { simple: true }), latestVersion);
  const rows = db.prepare('SELECT name, backbone_id AS id, config FROM runs ORDER BY id').all() as Array<{
    name: string;
    id: string;
    config: string;
  }>;
  const byName = new Map(
    rows.map((r) => [
      r.name,
      { id: r.id, config: JSON.parse(r.config) as { backboneId: string; inputSize: number; head: unknown } },
    ]),
  );
  assert.deepEqual(byName.get('mobilenet_v2'), {
    id: 'nsfwjs_mobilenet_v2',
    config: { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96, head: { pooling: 'avg' } },
  });
  assert.equal(byName.get('inception_v3')!.config.backboneId, 'nsfwjs_inception_v3');
  assert.deepEqual(byName.get('my_folder_model'), {
    id: 'my_folder_model',
    config: { backboneId: 'my_folder_model', inputSize: 96, head: { pooling: 'avg' } },
  });
  db.close();
});
