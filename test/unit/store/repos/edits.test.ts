// The edit history's statements: each compiled once per connection, through the store's
// statement cache, so an undo/redo sequence compiles nothing the second time round.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../../src-main/store/db';
import { ensureClass } from '../../../../src-main/store/repos/classes';
import { canUndoRedo, listEdits, recordEdit, redoEdit, undoEdit } from '../../../../src-main/store/repos/edits';
import type { ImageState } from '../../../../src-main/store/repos/edits';
import { memoryStore, placeholderImage } from '../../../helpers/store';
import { sql } from '../../../../src-main/store/statements';

const state = (classId: number | null): ImageState => ({
  classId,
  split: null,
  groupKey: null,
  fold: null,
  excluded: false,
});

function project(): { db: Database; imageId: number; classId: number } {
  const { db, importId } = memoryStore();
  const imageId = placeholderImage(db, importId, 'a'.repeat(64));
  return { db, imageId, classId: ensureClass(db, 'cat', 0) };
}

const classRow = (db: Database, id: number) =>
  sql(db, 'SELECT name, color FROM classes WHERE id = ?').get(id) as { name: string; color: string };

/** Label, rename, recolour; undo all three, redo all three; list and ask what can be undone. */
function round(db: Database, imageId: number, classId: number, n: number): void {
  const before = classRow(db, classId);
  recordEdit(db, { at: n, description: 'label', changes: [{ imageId, before: state(null), after: state(classId) }] });
  recordEdit(db, {
    at: n,
    description: 'rename',
    classOp: { op: 'rename', id: classId, before: before.name, after: `cat ${n}` },
    changes: [],
  });
  recordEdit(db, {
    at: n,
    description: 'recolour',
    classOp: { op: 'recolour', id: classId, before: before.color, after: `#00000${n}` },
    changes: [],
  });
  assert.deepEqual(classRow(db, classId), { name: `cat ${n}`, color: `#00000${n}` });
  for (let i = 0; i < 3; i++) assert.ok(undoEdit(db));
  assert.deepEqual(classRow(db, classId), before, 'undo puts name and colour back');
  for (let i = 0; i < 3; i++) assert.ok(redoEdit(db));
  assert.deepEqual(classRow(db, classId), { name: `cat ${n}`, color: `#00000${n}` });
  assert.equal(listEdits(db, 10)[0]?.description, 'recolour');
  assert.deepEqual(canUndoRedo(db), { undo: true, redo: false });
  undoEdit(db);
  undoEdit(db);
  undoEdit(db);
}

test('a second undo/redo round compiles no statement: every one comes from the statement cache', () => {
  const { db, imageId, classId } = project();
  round(db, imageId, classId, 1);
  let compiled = 0;
  const prepare = db.prepare.bind(db);
  db.prepare = ((text: string) => (compiled++, prepare(text))) as typeof db.prepare;
  round(db, imageId, classId, 2);
  db.prepare = prepare;
  assert.equal(compiled, 0);
});
