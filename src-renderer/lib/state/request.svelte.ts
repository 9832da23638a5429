// What every state class that fetches needs: a loading flag, the error to show, and a ticket
// so that only the latest request's answer lands (a page asked for twice, an arrow key held
// in the viewer). Written once here instead of in each class.
import { errorMessage } from '../api';

export interface RunOptions {
  /** Keep a failure off `error` (a quiet probe that falls back to something else). */
  quiet?: boolean;
}

export class Request {
  #loading = $state(false);
  #error = $state<string | null>(null);
  #ticket = 0;

  /** True while the latest request is in flight. */
  get loading(): boolean {
    return this.#loading;
  }
  /** The latest request's failure, as words for a person; null once one succeeds. */
  get error(): string | null {
    return this.#error;
  }
  set error(message: string | null) {
    this.#error = message;
  }

  /**
   * Runs `fetch` as the latest request: `apply` gets its answer only if no later request
   * started (and `drop` was not called) meanwhile. True when the answer was applied.
   */
  async run<T>(fetch: () => Promise<T>, apply: (value: T) => void, opts: RunOptions = {}): Promise<boolean> {
    const ticket = ++this.#ticket;
    this.#loading = true;
    try {
      const value = await fetch();
      if (ticket !== this.#ticket) return false;
      apply(value);
      this.#error = null;
      return true;
    } catch (err) {
      if (ticket === this.#ticket && !opts.quiet) this.#error = errorMessage(err);
      return false;
    } finally {
      if (ticket === this.#ticket) this.#loading = false;
    }
  }

  /** Forgets whatever is in flight: its answer, or its failure, will not land. */
  drop(): void {
    this.#ticket++;
    this.#loading = false;
  }
}

/**
 * A reload that many events may ask for at once: at most one in flight and one queued
 * behind it, so a burst of events costs two fetches, and the last one sees every change.
 */
export class Coalesced {
  readonly #fetch: () => Promise<unknown>;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(fetch: () => Promise<unknown>) {
    this.#fetch = fetch;
  }

  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#fetch().then(
      () => undefined,
      () => undefined,
    );
    void this.#running.then(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        void this.run();
      }
    });
    return this.#running;
  }
}
