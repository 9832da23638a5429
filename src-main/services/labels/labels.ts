// Labels, splits and classes, changed only through recorded edits so that every change is
// saved at once and can be undone and redone, across restarts.
import { checkClassName, classNameKey } from '../../../src-shared/class-name';
import { StudioError } from '../../../src-shared/errors';
import type { EditResult, ImageFilter, Split } from '../../../src-shared/schemas';
import { writeTx, type Database } from '../../store/db';
import { classNames, countClasses, defaultColor, getClass, nextClassId } from '../../store/repos/classes';
import { imageIdsInFilter, imageStates } from '../../store/repos/images';
import {
  canUndoRedo,
  recordEdit,
  redoEdit,
  undoEdit,
  type ClassOp,
  type ClassSnapshot,
  type ImageChange,
  type ImageState,
} from '../../store/repos/edits';
import { plural } from '../../../src-shared/plural';

type CurrentRow = { id: number } & ImageState;

const stateOf = ({ classId, split, groupKey, fold, excluded }: ImageState): ImageState => ({
  classId,
  split,
  groupKey,
  fold,
  excluded,
});
const sameState = (a: ImageState, b: ImageState) =>
  a.classId === b.classId &&
  a.split === b.split &&
  a.groupKey === b.groupKey &&
  a.fold === b.fold &&
  a.excluded === b.excluded;

function changesTo(rows: CurrentRow[], next: (row: CurrentRow) => ImageState): ImageChange[] {
  const changes: ImageChange[] = [];
  for (const row of rows) {
    const after = stateOf(next(row));
    if (!sameState(after, row)) changes.push({ imageId: row.id, before: stateOf(row), after });
  }
  return changes;
}

function result(db: Database, editId: number | null): EditResult {
  const { undo, redo } = canUndoRedo(db);
  return { editId, canUndo: undo, canRedo: redo };
}

function requireClass(db: Database, id: number): ClassSnapshot {
  const row = getClass(db, id);
  if (!row)
    throw new StudioError(
      'not-found',
      `There is no class with id ${id}; it may have been deleted. Refresh the class list.`,
    );
  return row;
}

function className(db: Database, classId: number | null): string {
  return classId === null ? 'unlabeled' : `"${requireClass(db, classId).name}"`;
}

/**
 * The name a class may take: normalised by the one rule (src-shared/class-name.ts), and unlike
 * every other class's name once both are normalised, so a name stored before the rule ("e" +
 * a combining accent, a trailing space) still blocks its look-alike.
 */
function checkNewName(db: Database, name: string, exceptId?: number): string {
  const checked = checkClassName(name);
  if (!checked.ok) throw new StudioError('invalid-input', checked.message);
  const clash = classNames(db).find((c) => c.id !== exceptId && classNameKey(c.name) === checked.name);
  if (clash)
    throw new StudioError(
      'invalid-input',
      `A class named "${clash.name}" already exists. Choose another name, or merge the two classes.`,
    );
  return checked.name;
}

/**
 * Records one edit moving the images to `next` of their current state; images already there
 * are left out, and an edit that would change nothing is not recorded.
 */
function editImages(
  db: Database,
  imageIds: number[],
  next: (row: CurrentRow) => ImageState,
  now: number,
  describe: (n: number) => string,
): EditResult {
  // Read and write under one write lock, so another window's edit cannot slip in between
  // and make the recorded "before" (what undo restores) wrong.
  return writeTx(db, () => {
    const changes = changesTo(imageStates(db, imageIds), next);
    if (!changes.length) return result(db, null);
    return result(db, recordEdit(db, { at: now, description: describe(changes.length), changes }));
  });
}

export function assignLabel(db: Database, imageIds: number[], classId: number | null, now: number): EditResult {
  const label = className(db, classId);
  return editImages(
    db,
    imageIds,
    (row) => ({ ...row, classId }),
    now,
    (n) => `Labelled ${plural(n, 'image')} ${label}`,
  );
}

/** Each image its own class, as one undoable edit (accepting the assistant's suggestions). */
export function assignLabels(
  db: Database,
  labels: ReadonlyMap<number, number>,
  now: number,
  description: string,
): EditResult {
  return editImages(
    db,
    [...labels.keys()],
    (row) => ({ ...row, classId: labels.get(row.id)! }),
    now,
    () => description,
  );
}

export function assignLabelToFilter(
  db: Database,
  filter: ImageFilter,
  classId: number | null,
  now: number,
  exceptIds: readonly number[] = [],
): EditResult {
  const except = new Set(exceptIds);
  const ids = imageIdsInFilter(db, filter);
  return assignLabel(db, except.size === 0 ? ids : ids.filter((id) => !except.has(id)), classId, now);
}

export function setSplit(db: Database, imageIds: number[], split: Split | null, now: number, why?: string): EditResult {
  return editImages(
    db,
    imageIds,
    (row) => ({ ...row, split }),
    now,
    (n) => why ?? `Moved ${plural(n, 'image')} to ${split ?? 'no split'}`,
  );
}

/**
 * Leaves images out of training (splits, runs, counts, exports) or brings them back, as one
 * undoable edit. Nothing is deleted: the files and their labels stay.
 */
export function setExcluded(
  db: Database,
  imageIds: number[],
  excluded: boolean,
  now: number,
  why?: string,
): EditResult {
  const describe = (n: number) =>
    why ??
    (excluded ? `Excluded ${plural(n, 'image')} from training` : `Included ${plural(n, 'image')} in training again`);
  return editImages(db, imageIds, (row) => ({ ...row, excluded }), now, describe);
}

/** A split move; a group key or fold given replaces the image's, one left out stays. */
export interface SplitMove {
  imageId: number;
  split: Split | null;
  groupKey?: string | null;
  fold?: number | null;
}

/** Several split moves as one undoable edit (a split assignment with its groups and folds, a leakage fix). */
export function setSplits(db: Database, moves: SplitMove[], now: number, description: string): EditResult {
  const target = new Map(moves.map((m) => [m.imageId, m]));
  return editImages(
    db,
    [...target.keys()],
    (row) => {
      const { split, groupKey = row.groupKey, fold = row.fold } = target.get(row.id)!;
      return { ...row, split, groupKey, fold };
    },
    now,
    () => description,
  );
}

/** Labels, splits and, where given, group keys of many images as one undoable edit (a CSV import). */
export function setStates(
  db: Database,
  states: ({ imageId: number } & Omit<ImageState, 'groupKey' | 'fold' | 'excluded'> & { groupKey?: string | null })[],
  now: number,
  description: string,
): EditResult {
  const target = new Map(states.map((s) => [s.imageId, s]));
  return editImages(
    db,
    [...target.keys()],
    (row) => {
      const { classId, split, groupKey = row.groupKey } = target.get(row.id)!;
      return { ...row, classId, split, groupKey };
    },
    now,
    () => description,
  );
}

export function createClass(
  db: Database,
  name: string,
  color: string | undefined,
  now: number,
): EditResult & { classId: number } {
  const finalName = checkNewName(db, name);
  const snapshot: ClassSnapshot = {
    id: nextClassId(db),
    name: finalName,
    color: color ?? defaultColor(countClasses(db)),
    createdAt: now,
  };
  const op: ClassOp = { op: 'create', class: snapshot };
  const editId = recordEdit(db, { at: now, description: `Created class "${finalName}"`, classOp: op, changes: [] });
  return { ...result(db, editId), classId: snapshot.id };
}

export function renameClass(db: Database, id: number, name: string, now: number): EditResult {
  const cls = requireClass(db, id);
  const after = checkNewName(db, name, id);
  if (after === cls.name) return result(db, null);
  const op: ClassOp = { op: 'rename', id, before: cls.name, after };
  return result(
    db,
    recordEdit(db, { at: now, description: `Renamed "${cls.name}" to "${after}"`, classOp: op, changes: [] }),
  );
}

export function recolourClass(db: Database, id: number, color: string, now: number): EditResult {
  const cls = requireClass(db, id);
  if (color === cls.color) return result(db, null);
  const op: ClassOp = { op: 'recolour', id, before: cls.color, after: color };
  return result(db, recordEdit(db, { at: now, description: `Recoloured "${cls.name}"`, classOp: op, changes: [] }));
}

/** Moves every image of `fromId` into `intoId` and removes `fromId`. */
export function mergeClasses(db: Database, fromId: number, intoId: number, now: number): EditResult {
  if (fromId === intoId)
    throw new StudioError('invalid-input', 'A class cannot be merged into itself: choose another class to merge into.');
  const from = requireClass(db, fromId);
  const into = requireClass(db, intoId);
  const changes = changesTo(imageStates(db, imageIdsInFilter(db, { classId: fromId })), (row) => ({
    ...row,
    classId: intoId,
  }));
  const description = `Merged "${from.name}" into "${into.name}" (${changes.length} images)`;
  return result(
    db,
    recordEdit(db, { at: now, description, classOp: { op: 'merge', class: from, into: intoId }, changes }),
  );
}

/** Removes a class; its images become unlabeled, never deleted. */
export function deleteClass(db: Database, id: number, now: number): EditResult {
  const cls = requireClass(db, id);
  const changes = changesTo(imageStates(db, imageIdsInFilter(db, { classId: id })), (row) => ({
    ...row,
    classId: null,
  }));
  const description = `Deleted class "${cls.name}" (${changes.length} images now unlabeled)`;
  return result(db, recordEdit(db, { at: now, description, classOp: { op: 'delete', class: cls }, changes }));
}

export function undo(db: Database): EditResult {
  return result(db, wrapConflict(() => undoEdit(db))?.id ?? null);
}

export function redo(db: Database): EditResult {
  return result(db, wrapConflict(() => redoEdit(db))?.id ?? null);
}

/** A class name taken since (by an import, say) makes an undo impossible: say what to do. */
function wrapConflict<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (String(err).includes('UNIQUE constraint failed: classes.name')) {
      throw new StudioError(
        'invalid-input',
        'This cannot be undone: a class with the same name exists now. Rename that class, then try again.',
      );
    }
    throw err;
  }
}

/** Runs a change on the open project and announces it (Studio's #edit), so undo and other windows follow. */
export type Edit = <R extends EditResult>(change: (db: Database, now: number) => R) => R;
