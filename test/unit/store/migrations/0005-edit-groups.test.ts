import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { latestVersion, migrations } from '../../../../src-main/store/migrations';
import { recordEdit, undoEdit } from '../../../../src-main/store/repos/edits';
import { migrate } from '../../../../src-main/store/db';

test('0005-edit-groups: an edit recorded before it keeps the groups and folds images hold when undone after it', () => {
  const db = new BetterSqlite3(':memory:');
  for (const m of migrations.filter((m) => m.version <= 4)) m.up(db);
  db.pragma('user_version = 4');
  const id = Number(
    db
      .prepare(
        "INSERT INTO images (hash, width, height, format, bytes, added_at, split, group_key, fold) VALUES (?, 1, 1, 'png', 1, 0, 'train', 'P1', 2)",
      )
      .run('a'.repeat(64)).lastInsertRowid,
  );
  // A split change recorded by the old schema: train -> val.
  const edit = Number(db.prepare("INSERT INTO edits (at, description) VALUES (0, 'moved')").run().lastInsertRowid);
  db.prepare(
    "INSERT INTO edit_changes (edit_id, image_id, before_split, after_split) VALUES (?, ?, 'train', 'val')",
  ).run(edit, id);
  db.prepare("UPDATE images SET split = 'val' WHERE id = ?").run(id);
  migrate(db);
  assert.equal(db.pragma('user_version', { simple: true }), latestVersion);
  undoEdit(db);
  assert.deepEqual(
    { ...(db.prepare('SELECT split, group_key AS g, fold FROM images WHERE id = ?').get(id) as object) },
    { split: 'train', g: 'P1', fold: 2 },
  );
  // And a new edit records and undoes all four fields.
  const before = { classId: null, split: 'train' as const, groupKey: 'P1', fold: 2, excluded: false };
  recordEdit(db, {
    at: 1,
    description: 'split again',
    changes: [
      { imageId: id, before, after: { classId: null, split: 'test', groupKey: 'P9', fold: null, excluded: false } },
    ],
  });
  assert.deepEqual(
    { ...(db.prepare('SELECT split, group_key AS g, fold FROM images WHERE id = ?').get(id) as object) },
    { split: 'test', g: 'P9', fold: null },
  );
  undoEdit(db);
  assert.deepEqual(
    { ...(db.prepare('SELECT split, group_key AS g, fold FROM images WHERE id = ?').get(id) as object) },
    { split: 'train', g: 'P1', fold: 2 },
  );
  db.close();
});
