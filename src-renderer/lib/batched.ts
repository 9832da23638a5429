// Live training sends an event per epoch and per batch: on cached features of a small set
// that is hundreds a second, and redrawing curves, the live doctor and the progress bar for
// each one left the page no time for a click (Cancel timed out on a loaded machine). Events
// are gathered and applied at most once per interval instead.

/** Hands `apply` everything `add`ed since its last call, at most once every `ms`. */
export class Batched<T> {
  #items: T[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #apply: (items: T[]) => void;
  readonly #ms: number;

  constructor(apply: (items: T[]) => void, ms = 100) {
    this.#apply = apply;
    this.#ms = ms;
  }

  add(item: T): void {
    this.#items.push(item);
    this.#timer ??= setTimeout(() => this.flush(), this.#ms);
  }

  /** Applies what is waiting now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#apply(items);
  }

  /** Drops what is waiting, for a state being disposed. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#items = [];
  }
}
