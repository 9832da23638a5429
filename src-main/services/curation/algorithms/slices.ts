// Long work in the process that also answers the window runs in slices of a few tens of
// milliseconds, handing the event loop a turn between them.
export class TimeSlices {
  #start = performance.now();
  constructor(readonly ms = 40) {}

  /** Whether the current slice is spent. */
  get due(): boolean {
    return performance.now() - this.#start >= this.ms;
  }

  /** Gives the event loop a turn, then starts a new slice. */
  async turn(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.#start = performance.now();
  }
}
