import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { migrate } from '../../../../src-main/store/db';
import {
  getBakeoff,
  insertBakeoff,
  listBakeoffs,
  replaceValPredictions,
  valPredictionsOf,
} from '../../../../src-main/store/repos/bakeoffs';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

function seeded(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  db.prepare(
    "INSERT INTO classes (id, name, color, created_at) VALUES (1, 'a', '#ffffff', 0), (2, 'b', '#000000', 0)",
  ).run();
  db.prepare("INSERT INTO imports (id, root, status, pid, started_at) VALUES (1, '/x', 'done', 1, 0)").run();
  const img = db.prepare(
    "INSERT INTO images (id, hash, class_id, width, height, format, bytes, added_at, import_id) VALUES (?, ?, ?, 1, 1, 'png', 1, 0, 1)",
  );
  img.run(1, H1, 1);
  img.run(2, H2, 2);
  const run = db.prepare(
    "INSERT INTO runs (id, name, status, config, seed, backbone_id, classes, created_at) VALUES (?, 'r', 'done', '{}', 1, 'x', '[]', 0)",
  );
  for (const id of [10, 11, 12]) run.run(id);
  return db;
}

test('0007-bakeoffs: a bake-off keeps its runs in order; deleting a run drops it from the bake-off', () => {
  const db = seeded();
  const id = insertBakeoff(db, { name: 'b', seed: 3, manifestId: null, config: '{}', createdAt: 5, runIds: [12, 10] });
  assert.deepEqual(getBakeoff(db, id), {
    id,
    name: 'b',
    seed: 3,
    manifestId: null,
    config: '{}',
    createdAt: 5,
    runIds: [12, 10],
  });
  const second = insertBakeoff(db, { name: 'c', seed: 1, manifestId: null, config: '{}', createdAt: 6, runIds: [11] });
  assert.deepEqual(
    listBakeoffs(db).map((b) => b.id),
    [second, id],
  );
  assert.throws(
    () => insertBakeoff(db, { name: 'd', seed: 1, manifestId: null, config: '{}', createdAt: 7, runIds: [10] }),
    /UNIQUE/,
    'a run belongs to one bake-off',
  );
  assert.equal(listBakeoffs(db).length, 2, 'the refused bake-off left nothing behind');
  db.prepare('DELETE FROM runs WHERE id = 12').run();
  assert.deepEqual(getBakeoff(db, id)!.runIds, [10]);
  assert.equal(getBakeoff(db, 99), null);
  db.close();
});

test("0007-bakeoffs: validation predictions are replaced per run and read with each image's label now", () => {
  const db = seeded();
  replaceValPredictions(db, 10, [{ imageId: 1, trueClass: 0, predicted: 1, loss: 2, probs: [0.2, 0.8] }]);
  replaceValPredictions(db, 11, [{ imageId: 2, trueClass: 1, predicted: 1, loss: 0.1, probs: [0.1, 0.9] }]);
  replaceValPredictions(db, 10, [{ imageId: 1, trueClass: 0, predicted: 0, loss: 0.5, probs: [0.6, 0.4] }]);
  db.prepare('UPDATE images SET class_id = NULL WHERE id = 2').run();
  const rows = valPredictionsOf(db, [10, 11]);
  assert.deepEqual(rows, [
    { runId: 10, imageId: 1, hash: H1, currentClass: 'a', trueClass: 0, predicted: 0, loss: 0.5, probs: [0.6, 0.4] },
    { runId: 11, imageId: 2, hash: H2, currentClass: null, trueClass: 1, predicted: 1, loss: 0.1, probs: [0.1, 0.9] },
  ]);
  assert.equal(
    (db.prepare('SELECT count(*) AS n FROM run_predictions').get() as { n: number }).n,
    0,
    'test predictions are untouched',
  );
  db.close();
});
