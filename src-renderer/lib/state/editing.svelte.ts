// Every change a person makes to labels and classes, and undo and redo. Each is one call
// that the studio saves at once; the answer's edit is then named in a toast with a way
// back. Labels show in the grid before the answer (see ImageGridState.applyLabel); the
// refresh after `labels.changed` confirms them, or an error puts the studio's state back.
import type { EditResult } from '../../../src-shared/schemas';
import { errorMessage } from '../api';
import { classInView } from '../filters';
import { classKey } from '../label-keys';
import type { Connection } from './connection.svelte';
import type { DatasetState } from './dataset.svelte';
import type { HistoryState } from './history.svelte';
import type { ImageGridState } from './image-grid.svelte';
import type { SelectionState } from './selection.svelte';
import type { ToastState } from './toasts.svelte';

export interface EditingParts {
  dataset: DatasetState;
  grid: ImageGridState;
  selection: SelectionState;
  history: HistoryState;
  toasts: ToastState;
}

export class EditingState {
  readonly #studio: Connection;
  readonly #p: EditingParts;

  constructor(studio: Connection, parts: EditingParts) {
    this.#studio = studio;
    this.#p = parts;
  }

  /** Labels the selection with the class at `position` in the list (keys 1-9, 0). */
  labelWithKey(position: number): void {
    const cls = this.#p.dataset.classes[position];
    if (cls) void this.label(cls.id);
  }

  /** Labels the selection (null: unlabels it). A single image hands the cursor to the next one. */
  async label(classId: number | null): Promise<void> {
    const { grid, selection } = this.#p;
    const target = selection.target();
    if (!target) return;
    const api = this.#studio.api.labels;
    if (target.kind === 'all') {
      const except = target.except.length > 0 ? { exceptIds: target.except } : {};
      const call = api.assignFilter({ filter: grid.filter, classId, ...except });
      selection.labelled(!classInView(classId, grid.filter));
      grid.refresh();
      await this.#settle(call);
      return;
    }
    const ids = target.kind === 'images' ? target.ids : [target.id];
    // Sent before the grid changes, so every fetch the grid makes from here on sees it.
    const call = api.assign({ imageIds: ids, classId });
    const left = grid.applyLabel(ids, classId);
    // When the image left the view the next one has moved under the cursor already.
    if (target.kind === 'cursor' && !left) grid.select(Math.min(target.index + 1, (grid.total ?? 1) - 1));
    selection.labelled(left);
    await this.#settle(call);
  }

  /**
   * Leaves the picked images out of training (or brings them back). Only picked images: the
   * whole view is too easy to exclude by accident, and exclusion is ids in the contract.
   */
  async exclude(excluded: boolean): Promise<void> {
    const target = this.#p.selection.target();
    if (!target) return;
    if (target.kind === 'all') {
      this.#p.toasts.error(
        'Exclusion works on picked images: pick them with a click, Shift-click or a box, not "all in view".',
      );
      return;
    }
    const ids = target.kind === 'images' ? target.ids : [target.id];
    await this.#settle(this.#studio.api.labels.setExcluded({ imageIds: ids, excluded }));
  }

  /** Excludes these images (a near-duplicate cluster's copies, say) from anywhere in the app. */
  excludeImages(ids: number[], excluded = true): Promise<boolean> {
    return this.#settle(this.#studio.api.labels.setExcluded({ imageIds: ids, excluded }));
  }

  async undo(): Promise<void> {
    await this.#settle(this.#studio.api.labels.undo(), 'undo');
  }

  async redo(): Promise<void> {
    await this.#settle(this.#studio.api.labels.redo(), 'redo');
  }

  /** Undoes or redoes edits until `editId` is the newest in force. */
  async jumpTo(editId: number): Promise<void> {
    const { history } = this.#p;
    const target = history.find(editId);
    if (!target) return;
    const edits = history.edits;
    const steps = target.undone
      ? edits.filter((e) => e.undone && e.id <= editId).length
      : edits.filter((e) => !e.undone && e.id > editId).length;
    const call = target.undone ? () => this.#studio.api.labels.redo() : () => this.#studio.api.labels.undo();
    try {
      for (let k = 0; k < steps; k++) history.apply(await call());
      await history.load();
      this.#p.toasts.show(`Back to: ${target.description}`);
    } catch (err) {
      this.#fail(err);
    }
  }

  async createClass(name: string, color?: string): Promise<boolean> {
    const position = this.#p.dataset.classes.length;
    const key = classKey(position);
    const hint = key ? ` Press ${key} to label with it.` : '';
    return this.#settle(this.#studio.api.classes.create({ name, color }), 'edit', hint);
  }

  renameClass(id: number, name: string): Promise<boolean> {
    return this.#settle(this.#studio.api.classes.rename({ id, name }));
  }

  recolourClass(id: number, color: string): Promise<boolean> {
    return this.#settle(this.#studio.api.classes.recolour({ id, color }));
  }

  mergeClass(fromId: number, intoId: number): Promise<boolean> {
    return this.#settle(this.#studio.api.classes.merge({ fromId, intoId }));
  }

  deleteClass(id: number): Promise<boolean> {
    return this.#settle(this.#studio.api.classes.delete({ id }));
  }

  /** Waits for an edit's answer and says what it did, with the way back. */
  async #settle(call: Promise<EditResult>, kind: 'edit' | 'undo' | 'redo' = 'edit', hint = ''): Promise<boolean> {
    const { history, toasts } = this.#p;
    try {
      const result = await call;
      history.apply(result);
      if (result.editId === null) {
        if (kind !== 'edit') toasts.show(kind === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
        return true;
      }
      const edits = await history.load();
      const description = edits.find((e) => e.id === result.editId)?.description ?? 'the last change';
      if (kind === 'undo') toasts.show(`Undone: ${description}`, { label: 'Redo', run: () => void this.redo() });
      else if (kind === 'redo') toasts.show(`Redone: ${description}`, { label: 'Undo', run: () => void this.undo() });
      else toasts.show(`${description}.${hint}`, { label: 'Undo', run: () => void this.undo() });
      return true;
    } catch (err) {
      this.#fail(err);
      return false;
    }
  }

  #fail(err: unknown): void {
    this.#p.toasts.error(errorMessage(err));
    // Shown early in the grid, the change did not happen: show the studio's state again.
    this.#p.grid.refresh();
    void this.#p.dataset.refresh();
    void this.#p.history.load();
  }
}
