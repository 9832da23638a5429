// The images behind the virtualized grid. Only the pages that cover the visible window
// are fetched (nearest the middle first, a couple at a time); pages far from the window
// are dropped, so memory stays flat while scrolling through 100,000 images.
import type { ImageFilter, ImageSummary } from '../../../src-shared/schemas';
import { classInView } from '../filters';
import { shiftedIndex, withoutIndices, type Page } from '../grid-pages';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export const PAGE_SIZE = 200;
const CONCURRENCY = 2;
/** Pages kept on each side of the visible window, so scrolling back is instant. */
const KEEP_AROUND = 4;
/** The most the contract returns in one call, for resolving a large selection to ids. */
const MAX_LIMIT = 2000;

export interface Shift {
  /** Old indices of the images that left, ascending. */
  removed: number[];
  /** When (performance.now()), so only cells on screen then slide. */
  at: number;
}

export class ImageGridState {
  #filter = $state.raw<ImageFilter>({});
  #total = $state<number | null>(null);
  #pages = $state.raw(new Map<number, Page<ImageSummary>>());
  #selected = $state(-1);
  #cursorOnLoad = -1;
  /** The last local removal, so the grid can slide the images that move into place. */
  #lastShift = $state.raw<Shift | null>(null);
  /** The pages of one list load side by side; a new filter, a refresh or a local edit overtakes them all. */
  readonly #request = new Request();
  readonly #studio: Connection;
  // Bookkeeping that no view reads: plain fields, not state.
  #inflight = new Set<number>();
  #stale = new Set<number>();
  #window = { first: 0, last: 0 };

  constructor(studio: Connection) {
    this.#studio = studio;
  }

  get filter(): ImageFilter {
    return this.#filter;
  }
  /** Images matching the filter; null until the first page for this filter arrives. */
  get total(): number | null {
    return this.#total;
  }
  get selected(): number {
    return this.#selected;
  }
  get selectedItem(): ImageSummary | undefined {
    return this.itemAt(this.#selected);
  }
  get error(): string | null {
    return this.#request.error;
  }
  get lastShift(): Shift | null {
    return this.#lastShift;
  }

  itemAt(index: number): ImageSummary | undefined {
    if (index < 0) return undefined;
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** A new list; `cursor` puts the cursor on that image once the list has loaded (a queue's first). */
  setFilter(filter: ImageFilter, cursor = -1): void {
    this.#cursorOnLoad = cursor;
    // The server treats `unlabeled` as excluding a class, so never send both.
    const next: ImageFilter = { ...filter };
    if (next.unlabeled) delete next.classId;
    if (!next.unlabeled) delete next.unlabeled;
    this.#filter = next;
    this.#selected = -1;
    this.#total = null;
    this.#pages = new Map();
    this.#stale = new Set();
    // The grid starts again at the top for a new filter.
    this.#window = { first: 0, last: 0 };
    this.#restart();
  }

  /** Fetches the window again but keeps showing the old pages until new ones arrive. */
  refresh(): void {
    this.#stale = new Set(this.#pages.keys());
    this.#restart();
  }

  /** Tells the state which item indices the grid shows (inclusive). */
  view(first: number, last: number): void {
    this.#window = { first: Math.max(0, first), last: Math.max(first, last) };
    this.#pump();
  }

  /** Moves the cursor; a negative index removes it. */
  select(index: number): void {
    const total = this.#total ?? 0;
    this.#selected = total === 0 || index < 0 ? -1 : Math.min(index, total - 1);
  }

  /**
   * Shows a label change at once, before the studio confirms it: the images get the class,
   * and those the filter no longer shows leave, the next ones moving into place and the
   * selection staying where it was. Returns whether they left. Answers to fetches sent
   * before this are dropped; the refresh after `labels.changed` brings the real pages.
   * Call it after sending the edit, so any fetch from now on sees the edit done.
   */
  applyLabel(imageIds: number[], classId: number | null): boolean {
    const wanted = new Set(imageIds);
    const found: number[] = [];
    const pages = new Map<number, Page<ImageSummary>>();
    for (const [page, rows] of this.#pages) {
      pages.set(
        page,
        rows.map((item, k) => {
          if (!item || !wanted.has(item.id)) return item;
          found.push(page * PAGE_SIZE + k);
          return { ...item, classId };
        }),
      );
    }
    this.#request.drop();
    this.#inflight = new Set();
    this.#stale = new Set(pages.keys());
    const leaves = !classInView(classId, this.#filter);
    // Where images not loaded here sit is unknown, so shifting would misplace the rest.
    if (!leaves || found.length !== wanted.size || this.#total === null) {
      this.#pages = pages;
      return leaves;
    }
    const total = this.#total - found.length;
    this.#pages = withoutIndices(pages, PAGE_SIZE, this.#total, found);
    this.#selected = shiftedIndex(this.#selected, found, total);
    this.#total = total;
    this.#lastShift = { removed: found.sort((a, b) => a - b), at: performance.now() };
    return true;
  }

  /** The ids of the images at these indices, fetching those not loaded (a range far off screen). */
  async idsAt(indices: number[]): Promise<number[]> {
    const ids: number[] = [];
    const missing = new Set<number>();
    for (const index of indices) {
      const item = this.itemAt(index);
      if (item) ids.push(item.id);
      else missing.add(index);
    }
    if (missing.size === 0) return ids;
    const sorted = [...missing].sort((a, b) => a - b);
    const last = sorted[sorted.length - 1];
    for (let offset = sorted[0]; offset <= last; offset += MAX_LIMIT) {
      const limit = Math.min(MAX_LIMIT, last - offset + 1);
      const { items } = await this.#studio.api.dataset.images({ filter: this.#filter, offset, limit });
      items.forEach((item, k) => missing.has(offset + k) && ids.push(item.id));
    }
    return ids;
  }

  #restart(): void {
    this.#request.drop();
    this.#inflight = new Set();
    this.#pump();
  }

  #pump(): void {
    for (const page of this.#wantedPages()) {
      if (this.#inflight.size >= CONCURRENCY) break;
      if (this.#inflight.has(page) || (this.#pages.has(page) && !this.#stale.has(page))) continue;
      void this.#fetch(page);
    }
  }

  /** Pages covering the window, nearest its middle first. */
  #wantedPages(): number[] {
    const first = Math.floor(this.#window.first / PAGE_SIZE);
    let last = Math.floor(this.#window.last / PAGE_SIZE);
    // Until a total is known, the first page of the window also tells how many there are.
    if (this.#total === null) last = first;
    else last = Math.min(last, Math.max(0, Math.ceil(this.#total / PAGE_SIZE) - 1));
    const middle = (first + last) / 2;
    const pages: number[] = [];
    for (let p = first; p <= last; p++) pages.push(p);
    return pages.sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
  }

  async #fetch(page: number): Promise<void> {
    const inflight = this.#inflight;
    inflight.add(page);
    const filter = this.#filter;
    // No retry on failure: the next scroll or refresh asks again, so a failing server is not hammered.
    const landed = await this.#request.run(
      () => this.#studio.api.dataset.images({ filter, offset: page * PAGE_SIZE, limit: PAGE_SIZE }),
      (result) => {
        this.#total = result.total;
        if (this.#cursorOnLoad >= 0 && result.total > 0)
          this.#selected = Math.min(this.#cursorOnLoad, result.total - 1);
        this.#cursorOnLoad = -1;
        // Images may have left the view (labelled elsewhere): keep the cursor on one that exists.
        if (this.#selected >= result.total) this.#selected = result.total - 1;
        this.#stale.delete(page);
        this.#pages = this.#withPage(page, result.items);
      },
      { beside: true },
    );
    inflight.delete(page);
    if (landed) this.#pump();
  }

  #withPage(page: number, items: ImageSummary[]): Map<number, Page<ImageSummary>> {
    const low = Math.floor(this.#window.first / PAGE_SIZE) - KEEP_AROUND;
    const high = Math.floor(this.#window.last / PAGE_SIZE) + KEEP_AROUND;
    const next = new Map<number, Page<ImageSummary>>();
    for (const [p, rows] of this.#pages) if (p >= low && p <= high) next.set(p, rows);
    next.set(page, items);
    return next;
  }
}
