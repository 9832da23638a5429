// The labels and classes slices of the contract: each change is one recorded edit made through
// `edit` (the studio's, which tells every window and the assistant), so it can be undone.
import type { Handlers, ParsedInput, Slice } from '../../../src-shared/contract';
import type { EditRecord, EditResult } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import { canUndoRedo, listEdits } from '../../store/repos/edits';
import {
  assignLabel,
  assignLabelToFilter,
  createClass,
  deleteClass,
  mergeClasses,
  recolourClass,
  redo,
  renameClass,
  setExcluded,
  setSplit,
  undo,
  type Edit,
} from './labels';

type In<M extends keyof Handlers['labels']> = ParsedInput<'labels', M>;
type ClassIn<M extends keyof Handlers['classes']> = ParsedInput<'classes', M>;

export class LabelService implements Slice<'labels'> {
  constructor(
    readonly edit: Edit,
    readonly db: () => Database,
  ) {}

  assign({ imageIds, classId }: In<'assign'>): EditResult {
    return this.edit((d, now) => assignLabel(d, imageIds, classId, now));
  }

  assignFilter({ filter, classId, exceptIds }: In<'assignFilter'>): EditResult {
    return this.edit((d, now) => assignLabelToFilter(d, filter, classId, now, exceptIds));
  }

  setSplit({ imageIds, split }: In<'setSplit'>): EditResult {
    return this.edit((d, now) => setSplit(d, imageIds, split, now));
  }

  setExcluded({ imageIds, excluded }: In<'setExcluded'>): EditResult {
    return this.edit((d, now) => setExcluded(d, imageIds, excluded, now));
  }

  undo(): EditResult {
    return this.edit((d) => undo(d));
  }

  redo(): EditResult {
    return this.edit((d) => redo(d));
  }

  history({ limit }: In<'history'>): { edits: EditRecord[]; canUndo: boolean; canRedo: boolean } {
    const { undo: canUndo, redo: canRedo } = canUndoRedo(this.db());
    return { edits: listEdits(this.db(), limit), canUndo, canRedo };
  }
}

export class ClassService implements Slice<'classes'> {
  constructor(readonly edit: Edit) {}

  create({ name, color }: ClassIn<'create'>): EditResult & { classId: number } {
    return this.edit((d, now) => createClass(d, name, color, now));
  }

  rename({ id, name }: ClassIn<'rename'>): EditResult {
    return this.edit((d, now) => renameClass(d, id, name, now));
  }

  recolour({ id, color }: ClassIn<'recolour'>): EditResult {
    return this.edit((d, now) => recolourClass(d, id, color, now));
  }

  merge({ fromId, intoId }: ClassIn<'merge'>): EditResult {
    return this.edit((d, now) => mergeClasses(d, fromId, intoId, now));
  }

  delete({ id }: ClassIn<'delete'>): EditResult {
    return this.edit((d, now) => deleteClass(d, id, now));
  }
}
