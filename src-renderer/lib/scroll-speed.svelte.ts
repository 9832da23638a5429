// Tells a virtualized list when it is being flung: faster than a screenful every 200 ms.
// Cells that appear during a fling are gone a frame later, so loading their thumbnails
// would only cost requests and decoding; they load once the scrolling slows or stops.
const SCREEN_PER_MS = 1 / 200;
const SETTLE_MS = 120;

export class ScrollSpeed {
  #fast = $state(false);
  #lastTop = 0;
  #lastTime = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  get fast(): boolean {
    return this.#fast;
  }

  update(top: number, viewportHeight: number): void {
    const now = performance.now();
    const elapsed = now - this.#lastTime;
    const speed = elapsed > 0 ? Math.abs(top - this.#lastTop) / elapsed : 0;
    this.#lastTop = top;
    this.#lastTime = now;
    if (speed > viewportHeight * SCREEN_PER_MS) this.#fast = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.#fast = false), SETTLE_MS);
  }
}
