// Live training sends an event per epoch and per batch: on cached features of a small set
// that is hundreds a second, and redrawing curves, the live doctor and the progress bar for
// each one left the page no time for a click (Cancel timed out on a loaded machine). The
// first event after a quiet spell is applied at once; what follows within the interval is
// gathered and applied together at its end.

/** Hands `apply` everything `add`ed since its last call, at most once every `ms`. */
export class Batched<T> {
  #items: T[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #last = -Infinity;
  readonly #apply: (items: T[]) => void;
  readonly #ms: number;
  readonly #now: () => number;

  constructor(apply: (items: T[]) => void, ms = 100, now: () => number = Date.now) {
    this.#apply = apply;
    this.#ms = ms;
    this.#now = now;
  }

  add(item: T): void {
    this.#items.push(item);
    if (this.#timer) return;
    const wait = this.#last + this.#ms - this.#now();
    if (wait <= 0) this.flush();
    else this.#timer = setTimeout(() => this.flush(), wait);
  }

  /** Applies what is waiting now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#last = this.#now();
    this.#apply(items);
  }

  /** Drops what is waiting, for a state being disposed. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#items = [];
  }
}
