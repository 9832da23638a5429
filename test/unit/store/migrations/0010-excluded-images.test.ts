import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { latestVersion, migrations } from '../../../../src-main/store/migrations';
import { recordEdit, redoEdit, undoEdit } from '../../../../src-main/store/repos/edits';
import { migrate } from '../../../../src-main/store/db';

const excludedOf = (db: BetterSqlite3.Database, id: number) =>
  db.prepare('SELECT excluded, split FROM images WHERE id = ?').get(id) as { excluded: number; split: string };

test('0010-excluded-images: images start included, older edits undo as before, exclusion records and undoes', () => {
  const db = new BetterSqlite3(':memory:');
  for (const m of migrations.filter((m) => m.version <= 9)) m.up(db);
  db.pragma('user_version = 9');
  const id = Number(
    db
      .prepare(
        "INSERT INTO images (hash, width, height, format, bytes, added_at, split) VALUES (?, 1, 1, 'png', 1, 0, 'val')",
      )
      .run('b'.repeat(64)).lastInsertRowid,
  );
  const edit = Number(db.prepare("INSERT INTO edits (at, description) VALUES (0, 'moved')").run().lastInsertRowid);
  db.prepare(
    "INSERT INTO edit_changes (edit_id, image_id, before_split, after_split) VALUES (?, ?, 'train', 'val')",
  ).run(edit, id);
  migrate(db);
  assert.equal(db.pragma('user_version', { simple: true }), latestVersion);
  assert.deepEqual({ ...excludedOf(db, id) }, { excluded: 0, split: 'val' });
  undoEdit(db);
  assert.deepEqual({ ...excludedOf(db, id) }, { excluded: 0, split: 'train' });
  const state = { classId: null, split: 'train' as const, groupKey: null, fold: null };
  recordEdit(db, {
    at: 1,
    description: 'exclude',
    changes: [{ imageId: id, before: { ...state, excluded: false }, after: { ...state, excluded: true } }],
  });
  assert.equal(excludedOf(db, id).excluded, 1);
  undoEdit(db);
  assert.equal(excludedOf(db, id).excluded, 0);
  redoEdit(db);
  assert.equal(excludedOf(db, id).excluded, 1);
  assert.throws(() => db.prepare('UPDATE images SET excluded = 2 WHERE id = ?').run(id), /CHECK constraint/);
  db.close();
});
