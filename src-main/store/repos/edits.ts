// The edit history. Applying an edit writes the images and the history in one transaction, so
// a killed process leaves either both or neither. A new edit discards what was undone (the
// redo branch), as every editor does.
import type { EditRecord, Split } from '../../../src-shared/schemas';
import { writeTx, type Database } from '../db';
import { sql } from '../statements';

export interface ImageState {
  classId: number | null;
  split: Split | null;
  /** The group a split kept together (a patient, say), and the cross-validation fold. */
  groupKey: string | null;
  fold: number | null;
  /** Left out of splits, runs, counts and exports; the file and its label stay. */
  excluded: boolean;
}

export interface ImageChange {
  imageId: number;
  before: ImageState;
  after: ImageState;
}

export interface ClassSnapshot {
  id: number;
  name: string;
  color: string;
  createdAt: number;
}

export type ClassOp =
  | { op: 'create'; class: ClassSnapshot }
  | { op: 'rename'; id: number; before: string; after: string }
  | { op: 'recolour'; id: number; before: string; after: string }
  | { op: 'delete'; class: ClassSnapshot }
  | { op: 'merge'; class: ClassSnapshot; into: number };

export interface NewEdit {
  at: number;
  description: string;
  classOp?: ClassOp;
  changes: ImageChange[];
}

export function recordEdit(db: Database, edit: NewEdit): number {
  return writeTx(db, () => {
    sql(db, 'DELETE FROM edits WHERE undone = 1').run();
    const info = sql(db, 'INSERT INTO edits (at, description, class_op) VALUES (?, ?, ?)').run(
      edit.at,
      edit.description,
      edit.classOp ? JSON.stringify(edit.classOp) : null,
    );
    const editId = Number(info.lastInsertRowid);
    const insert = sql(
      db,
      `INSERT INTO edit_changes (edit_id, image_id, before_class_id, after_class_id, before_split, after_split,
         before_group, after_group, before_fold, after_fold, before_excluded, after_excluded)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const { imageId, before: b, after: a } of edit.changes) {
      insert.run(
        editId,
        imageId,
        b.classId,
        a.classId,
        b.split,
        a.split,
        b.groupKey,
        a.groupKey,
        b.fold,
        a.fold,
        Number(b.excluded),
        Number(a.excluded),
      );
    }
    apply(db, edit.classOp ?? null, edit.changes, 'forward');
    return editId;
  });
}

/** Undoes the latest edit still in force; null when there is nothing to undo. */
export function undoEdit(db: Database): EditRecord | null {
  return writeTx(db, () => {
    const row = sql(db, 'SELECT id FROM edits WHERE undone = 0 ORDER BY id DESC LIMIT 1').get() as
      { id: number } | undefined;
    if (!row) return null;
    const { classOp, changes } = loadEdit(db, row.id);
    apply(db, classOp, changes, 'back');
    sql(db, 'UPDATE edits SET undone = 1 WHERE id = ?').run(row.id);
    return editRecord(db, row.id);
  });
}

/** Redoes the earliest undone edit; null when there is nothing to redo. */
export function redoEdit(db: Database): EditRecord | null {
  return writeTx(db, () => {
    const row = sql(db, 'SELECT id FROM edits WHERE undone = 1 ORDER BY id ASC LIMIT 1').get() as
      { id: number } | undefined;
    if (!row) return null;
    const { classOp, changes } = loadEdit(db, row.id);
    apply(db, classOp, changes, 'forward');
    sql(db, 'UPDATE edits SET undone = 0 WHERE id = ?').run(row.id);
    return editRecord(db, row.id);
  });
}

export function listEdits(db: Database, limit: number): EditRecord[] {
  const ids = sql(db, 'SELECT id FROM edits ORDER BY id DESC LIMIT ?').all(limit) as { id: number }[];
  return ids.map(({ id }) => editRecord(db, id)!);
}

export function canUndoRedo(db: Database): { undo: boolean; redo: boolean } {
  const n = (undone: number) =>
    (sql(db, 'SELECT count(*) AS n FROM edits WHERE undone = ?').get(undone) as { n: number }).n;
  return { undo: n(0) > 0, redo: n(1) > 0 };
}

function editRecord(db: Database, id: number): EditRecord | null {
  const row = sql(
    db,
    `SELECT e.id, e.at, e.description, e.undone, (SELECT count(*) FROM edit_changes c WHERE c.edit_id = e.id) AS images
       FROM edits e WHERE e.id = ?`,
  ).get(id) as (Omit<EditRecord, 'undone'> & { undone: number }) | undefined;
  return row ? { ...row, undone: row.undone === 1 } : null;
}

function loadEdit(db: Database, id: number): { classOp: ClassOp | null; changes: ImageChange[] } {
  const edit = sql(db, 'SELECT class_op FROM edits WHERE id = ?').get(id) as { class_op: string | null };
  const rows = sql(
    db,
    `SELECT image_id AS imageId,
         json_object('classId', before_class_id, 'split', before_split, 'groupKey', before_group, 'fold', before_fold,
           'excluded', json(iif(before_excluded, 'true', 'false'))) AS before,
         json_object('classId', after_class_id, 'split', after_split, 'groupKey', after_group, 'fold', after_fold,
           'excluded', json(iif(after_excluded, 'true', 'false'))) AS after
       FROM edit_changes WHERE edit_id = ?`,
  ).all(id) as { imageId: number; before: string; after: string }[];
  const changes = rows.map((r) => ({
    imageId: r.imageId,
    before: JSON.parse(r.before) as ImageState,
    after: JSON.parse(r.after) as ImageState,
  }));
  return { classOp: edit.class_op ? (JSON.parse(edit.class_op) as ClassOp) : null, changes };
}

/**
 * Applies an edit either way. Order matters: a class must exist before images point at it
 * and lose its images before it is deleted.
 */
function apply(db: Database, classOp: ClassOp | null, changes: ImageChange[], way: 'forward' | 'back'): void {
  const restoring = way === 'back' && (classOp?.op === 'delete' || classOp?.op === 'merge');
  const creating = way === 'forward' && classOp?.op === 'create';
  if (classOp && (restoring || creating)) insertClass(db, classOp.class);
  const update = sql(
    db,
    'UPDATE images SET class_id = ?, split = ?, group_key = ?, fold = ?, excluded = ? WHERE id = ?',
  );
  for (const c of changes) {
    const s = way === 'forward' ? c.after : c.before;
    if (update.run(s.classId, s.split, s.groupKey, s.fold, Number(s.excluded), c.imageId).changes !== 1)
      throw new Error(`Image ${c.imageId} is gone`);
  }
  if (!classOp || restoring || creating) return;
  if (classOp.op === 'rename' || classOp.op === 'recolour') {
    const value = way === 'forward' ? classOp.after : classOp.before;
    const text =
      classOp.op === 'rename'
        ? 'UPDATE classes SET name = ? WHERE id = ?'
        : 'UPDATE classes SET color = ? WHERE id = ?';
    sql(db, text).run(value, classOp.id);
  } else {
    sql(db, 'DELETE FROM classes WHERE id = ?').run(classOp.class.id);
  }
}

function insertClass(db: Database, c: ClassSnapshot): void {
  sql(db, 'INSERT INTO classes (id, name, color, created_at) VALUES (?, ?, ?, ?)').run(
    c.id,
    c.name,
    c.color,
    c.createdAt,
  );
}
