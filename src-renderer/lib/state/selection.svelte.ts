// Which images are selected. The cursor (the grid's `selected` index) is where the keyboard
// is, and with nothing picked explicitly the image under it is the selection: look, press
// a digit, the cursor moves on. An explicit selection holds image ids, so it survives the
// grid refreshing and images moving; "all in view" holds no ids at all, so it costs the
// same for ten images or a hundred thousand; Ctrl-clicks after it leave images out of it
// (`except`), so "select all, deselect the wrong ones, press the key" labels the rest.
import { SvelteSet } from 'svelte/reactivity';
import type { ImageSummary } from '../../../src-shared/schemas';
import type { MapSelection } from '../map-selection';
import type { ImageGridState } from './image-grid.svelte';
import { Request } from './request.svelte';

export type LabelTarget =
  { kind: 'all'; except: number[] } | { kind: 'images'; ids: number[] } | { kind: 'cursor'; index: number; id: number };

export interface PickModifiers {
  /** Ctrl/Cmd: add or remove one image. */
  toggle: boolean;
  /** Shift: everything from the last plain pick to here. */
  range: boolean;
}

const EMPTY: ReadonlySet<number> = new Set();

export class SelectionState {
  #ids = $state.raw<ReadonlySet<number>>(EMPTY);
  #all = $state(false);
  /** With `all`: the images Ctrl-clicked out of it. */
  #except = $state.raw<ReadonlySet<number>>(EMPTY);
  readonly #grid: ImageGridState;
  /** Where a Shift range starts: the last plain pick. */
  #anchor = -1;
  /** The selection a box drag adds to (empty unless Ctrl/Shift was held when it began). */
  #boxBase: ReadonlySet<number> = EMPTY;
  /** Fetching the ids of a range not loaded yet; any change of selection overtakes it. */
  readonly #request = new Request();

  constructor(grid: ImageGridState) {
    this.#grid = grid;
  }

  get all(): boolean {
    return this.#all;
  }
  get ids(): ReadonlySet<number> {
    return this.#ids;
  }
  /** True when more than the cursor's image is picked. */
  /** With `all`: the images left out of it. */
  get except(): ReadonlySet<number> {
    return this.#except;
  }
  get explicit(): boolean {
    return this.#all || this.#ids.size > 0;
  }
  get count(): number {
    if (this.#all) return Math.max(0, (this.#grid.total ?? 0) - this.#except.size);
    if (this.#ids.size > 0) return this.#ids.size;
    return this.#grid.selectedItem ? 1 : 0;
  }

  isSelected(index: number, item: ImageSummary | undefined): boolean {
    if (this.#all) return item === undefined || !this.#except.has(item.id);
    if (this.#ids.size > 0) return item !== undefined && this.#ids.has(item.id);
    return index === this.#grid.selected;
  }

  target(): LabelTarget | null {
    if (this.#all) return { kind: 'all', except: [...this.#except] };
    const cursor = this.#grid.selectedItem;
    const single = this.#ids.size === 1 && cursor !== undefined && this.#ids.has(cursor.id);
    if (this.#ids.size > 0 && !single) return { kind: 'images', ids: [...this.#ids] };
    return cursor ? { kind: 'cursor', index: this.#grid.selected, id: cursor.id } : null;
  }

  pick(index: number, mods: PickModifiers): void {
    if (mods.range) {
      const from = this.#anchor >= 0 ? this.#anchor : Math.max(0, this.#grid.selected);
      this.#setIndices(span(from, index), mods.toggle ? this.#ids : EMPTY);
    } else if (mods.toggle) {
      this.#toggle(index);
      this.#anchor = index;
    } else {
      this.#drop();
      this.#anchor = index;
    }
    this.#grid.select(index);
  }

  /** The keyboard's cursor moved; Shift extends the selection as it goes. */
  move(index: number, extend: boolean): void {
    if (extend && this.#anchor < 0) this.#anchor = Math.max(0, this.#grid.selected);
    this.pick(index, { toggle: false, range: extend });
  }

  selectAll(): void {
    this.#request.drop();
    this.#ids = EMPTY;
    this.#except = EMPTY;
    this.#all = true;
  }

  /** Esc: first drops a multiple selection back to the cursor's image, then that too. */
  clear(): void {
    if (this.explicit) this.#drop();
    else this.#grid.select(-1);
  }

  /** Forgets everything, for a new filter or project. */
  reset(): void {
    this.#drop();
    this.#anchor = -1;
  }

  boxStart(additive: boolean): void {
    this.#boxBase = additive ? (this.#all ? EMPTY : this.#ids) : EMPTY;
  }

  /** While dragging only what is loaded is picked; the end fetches what the box ran over. */
  box(indices: number[]): void {
    this.#setIndices(indices, this.#boxBase, false);
  }

  /** The cursor stays put: moving it into a box dragged past the edge would scroll the grid back. */
  boxEnd(indices: number[]): void {
    this.#setIndices(indices, this.#boxBase);
  }

  /** The selection as the map draws it: with nothing picked, the cursor's image. */
  forMap(): MapSelection {
    if (this.#all) return { kind: 'all', except: this.#except };
    if (this.#ids.size > 0) return { kind: 'ids', ids: this.#ids };
    const cursor = this.#grid.selectedItem;
    return { kind: 'ids', ids: new Set(cursor ? [cursor.id] : []) };
  }

  /** Takes the selection a lasso on the map made (map-selection.ts's `afterLasso`). */
  fromMap(selection: MapSelection): void {
    if (selection.kind === 'ids') return this.replace(selection.ids);
    this.#request.drop();
    this.#ids = EMPTY;
    this.#all = true;
    this.#except = selection.except;
  }

  /** Selects exactly these images (a lasso on the map, a point opened); the grid marks them wherever they show. */
  replace(ids: Iterable<number>): void {
    this.#request.drop();
    // A snapshot, replaced rather than mutated, as every selection here is.
    this.#ids = new SvelteSet(ids);
    this.#all = false;
    this.#except = EMPTY;
  }

  /** After labelling: images the filter no longer shows are no longer selected. */
  labelled(leftView: boolean): void {
    if (leftView) this.#drop();
  }

  #drop(): void {
    this.#request.drop();
    this.#ids = EMPTY;
    this.#all = false;
    this.#except = EMPTY;
  }

  #toggle(index: number): void {
    const item = this.#grid.itemAt(index);
    if (!item) return;
    if (this.#all) {
      // Everything in view stays picked but this one (or it comes back): no ids fetched, however long the view.
      const except = new Set(this.#except);
      if (!except.delete(item.id)) except.add(item.id);
      this.#except = except;
      return;
    }
    const next = new Set(this.#ids);
    // Ctrl-click adds to what is selected, and with nothing picked that is the cursor's image.
    const cursor = this.#grid.selectedItem;
    if (next.size === 0 && cursor && cursor.id !== item.id) next.add(cursor.id);
    if (next.has(item.id)) next.delete(item.id);
    else next.add(item.id);
    this.#request.drop();
    this.#ids = next;
  }

  /** Selects the images at `indices` on top of `base`; those not loaded yet follow when fetched. */
  #setIndices(indices: number[], base: ReadonlySet<number>, resolve = true): void {
    const ids = new Set(base);
    let missing = false;
    for (const index of indices) {
      const item = this.#grid.itemAt(index);
      if (item) ids.add(item.id);
      else missing = true;
    }
    this.#all = false;
    this.#except = EMPTY;
    this.#ids = ids;
    if (!missing || !resolve) return this.#request.drop();
    // Quiet: the loaded part stays selected, and the grid shows its own error for failed fetches.
    void this.#request.run(
      () => this.#grid.idsAt(indices),
      (all) => (this.#ids = new Set([...base, ...all])),
      { quiet: true },
    );
  }
}

function span(a: number, b: number): number[] {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
}
