// Label, split and class edits: saved at once, undone and redone in order, across a reopen.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase, type Database } from '../../../../src-main/store/db';
import * as labels from '../../../../src-main/services/labels/labels';
import { listEdits } from '../../../../src-main/store/repos/edits';

function seed(db: Database, n: number): number[] {
  const insert = db.prepare(
    `INSERT INTO images (hash, class_id, split, width, height, format, bytes, added_at) VALUES (?, NULL, 'train', 8, 8, 'png', 10, 0)`,
  );
  return Array.from({ length: n }, (_, i) => Number(insert.run(i.toString(16).padStart(64, '0')).lastInsertRowid));
}

const labelsOf = (db: Database) =>
  (
    db.prepare('SELECT c.name FROM images i LEFT JOIN classes c ON c.id = i.class_id ORDER BY i.id').all() as {
      name: string | null;
    }[]
  ).map((r) => r.name);
const classNames = (db: Database) =>
  (db.prepare('SELECT name FROM classes ORDER BY id').all() as { name: string }[]).map((r) => r.name);

test('labelling, undo and redo walk the history in order', () => {
  const db = openDatabase(':memory:');
  const ids = seed(db, 4);
  const cat = labels.createClass(db, 'cat', undefined, 1).classId;
  const dog = labels.createClass(db, 'dog', undefined, 2).classId;
  labels.assignLabel(db, ids.slice(0, 3), cat, 3);
  const r = labels.assignLabel(db, [ids[2], ids[3]], dog, 4);
  assert.deepEqual(labelsOf(db), ['cat', 'cat', 'dog', 'dog']);
  assert.deepEqual([r.canUndo, r.canRedo], [true, false]);

  labels.undo(db);
  assert.deepEqual(labelsOf(db), ['cat', 'cat', 'cat', null]);
  labels.undo(db);
  assert.deepEqual(labelsOf(db), [null, null, null, null]);
  const redone = labels.redo(db);
  assert.deepEqual(labelsOf(db), ['cat', 'cat', 'cat', null]);
  assert.deepEqual([redone.canUndo, redone.canRedo], [true, true]);

  // A new edit drops the redo branch.
  labels.assignLabel(db, [ids[3]], cat, 5);
  assert.equal(labels.redo(db).editId, null);
  assert.deepEqual(labelsOf(db), ['cat', 'cat', 'cat', 'cat']);
});

test('an edit that changes nothing records nothing', () => {
  const db = openDatabase(':memory:');
  const ids = seed(db, 2);
  const cat = labels.createClass(db, 'cat', undefined, 1).classId;
  labels.assignLabel(db, ids, cat, 2);
  const before = listEdits(db, 10).length;
  assert.equal(labels.assignLabel(db, ids, cat, 3).editId, null);
  assert.equal(listEdits(db, 10).length, before);
});

test('deleting a class unlabels its images and undo brings both back', () => {
  const db = openDatabase(':memory:');
  const ids = seed(db, 3);
  const cat = labels.createClass(db, 'cat', '#112233', 1).classId;
  labels.assignLabel(db, ids, cat, 2);
  labels.deleteClass(db, cat, 3);
  assert.deepEqual(labelsOf(db), [null, null, null]);
  assert.equal((db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n, 3);
  labels.undo(db);
  assert.deepEqual(labelsOf(db), ['cat', 'cat', 'cat']);
  assert.deepEqual(db.prepare('SELECT id, color FROM classes').get(), { id: cat, color: '#112233' });
});

test('merge moves images, removes the class, and undoes cleanly', () => {
  const db = openDatabase(':memory:');
  const ids = seed(db, 4);
  const a = labels.createClass(db, 'kitten', undefined, 1).classId;
  const b = labels.createClass(db, 'cat', undefined, 2).classId;
  labels.assignLabel(db, ids.slice(0, 2), a, 3);
  labels.assignLabel(db, ids.slice(2), b, 4);
  labels.mergeClasses(db, a, b, 5);
  assert.deepEqual(labelsOf(db), ['cat', 'cat', 'cat', 'cat']);
  assert.deepEqual(classNames(db), ['cat']);
  labels.undo(db);
  assert.deepEqual(labelsOf(db), ['kitten', 'kitten', 'cat', 'cat']);
  assert.throws(() => labels.mergeClasses(db, a, a, 6), /merged into itself/);
});

test('rename and recolour are undoable; a taken name is refused with what to do', () => {
  const db = openDatabase(':memory:');
  const a = labels.createClass(db, 'cat', undefined, 1).classId;
  labels.createClass(db, 'dog', undefined, 2);
  assert.throws(() => labels.renameClass(db, a, 'dog', 3), /already exists.*merge/);
  labels.renameClass(db, a, 'feline', 3);
  labels.recolourClass(db, a, '#abcdef', 4);
  labels.undo(db);
  labels.undo(db);
  assert.deepEqual(db.prepare('SELECT name FROM classes WHERE id = ?').get(a), { name: 'cat' });
  assert.throws(() => labels.assignLabel(db, [1], 999, 5), /no class with id 999/);
});

test('splits move as undoable edits too', () => {
  const db = openDatabase(':memory:');
  const ids = seed(db, 3);
  labels.setSplits(
    db,
    [
      { imageId: ids[0], split: 'val' },
      { imageId: ids[1], split: 'test' },
    ],
    1,
    'Split 1/1/1',
  );
  const splits = () =>
    (db.prepare('SELECT split FROM images ORDER BY id').all() as { split: string }[]).map((r) => r.split);
  assert.deepEqual(splits(), ['val', 'test', 'train']);
  labels.undo(db);
  assert.deepEqual(splits(), ['train', 'train', 'train']);
});

test('history survives closing and reopening the database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labels-'));
  try {
    const file = join(dir, 'studio.db');
    let db = openDatabase(file);
    const ids = seed(db, 2);
    const cat = labels.createClass(db, 'cat', undefined, 1).classId;
    labels.assignLabel(db, ids, cat, 2);
    db.close();
    db = openDatabase(file);
    assert.deepEqual(labelsOf(db), ['cat', 'cat']);
    labels.undo(db);
    assert.deepEqual(labelsOf(db), [null, null]);
    db.close();
    db = openDatabase(file);
    assert.equal(labels.redo(db).canRedo, false);
    assert.deepEqual(labelsOf(db), ['cat', 'cat']);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('labelling a whole view but the images left out of it (Ctrl+A, then Ctrl-clicks) is one edit; undo restores', () => {
  const db = openDatabase(':memory:');
  const ids = seed(db, 5);
  const cat = labels.createClass(db, 'cat', undefined, 1).classId;
  const view = { imageIds: [ids[4]!, ids[0]!, ids[2]!, ids[3]!] };
  const r = labels.assignLabelToFilter(db, view, cat, 2, [ids[2]!]);
  assert.deepEqual(
    labelsOf(db),
    ['cat', null, null, 'cat', 'cat'],
    'the view but the one left out; the rest untouched',
  );
  assert.equal(listEdits(db, 10)[0]!.description, 'Labelled 3 images "cat"');
  assert.ok(r.canUndo);
  labels.undo(db);
  assert.deepEqual(labelsOf(db), [null, null, null, null, null]);
  // Without exceptions the whole view is labelled, as before.
  labels.assignLabelToFilter(db, view, cat, 3);
  assert.deepEqual(labelsOf(db), ['cat', null, 'cat', 'cat', 'cat']);
});
