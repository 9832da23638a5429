// What every state class that fetches needs: a loading flag, the error to show, and a ticket
// so that only the latest request's answer lands (a page asked for twice, an arrow key held
// in the viewer). Written once here instead of in each class.
import { errorMessage } from '../api';

export interface RunOptions {
  /** Keep a failure off `error` (a quiet probe that falls back to something else). */
  quiet?: boolean;
  /**
   * Runs beside the requests in flight instead of overtaking them (another page of the same
   * list): they stay current until the next request that is not `beside`, or `drop`.
   */
  beside?: boolean;
  /** Told of a failure that was not overtaken (a page that shows none, and asks again later). */
  failed?: (err: unknown) => void;
}

export class Request {
  readonly #errorsOn: Request | null;
  #error = $state<string | null>(null);
  #ticket = 0;
  /** Requests of the current ticket still in flight, and actions under way. */
  #fetching = $state(0);
  #acting = $state(0);

  /** `errorsOn`: show failures on that request's error line (one line for a page's several requests). */
  constructor(errorsOn?: Request) {
    this.#errorsOn = errorsOn ?? null;
  }

  /** True while the latest request, or an action, is under way. */
  get loading(): boolean {
    return this.#fetching > 0 || this.#acting > 0;
  }
  /** The latest failure, as words for a person; null once a request or action succeeds. */
  get error(): string | null {
    return this.#errorsOn ? this.#errorsOn.error : this.#error;
  }
  set error(message: string | null) {
    if (this.#errorsOn) this.#errorsOn.error = message;
    else this.#error = message;
  }

  /**
   * Runs `fetch` as the latest request: `apply` gets its answer only if no later request
   * started (and `drop` was not called) meanwhile. True when the answer was applied. A fetch
   * of several pages may call `stale()` between them, to stop once it is overtaken.
   */
  async run<T>(
    fetch: (stale: () => boolean) => Promise<T>,
    apply: (value: T) => void,
    opts: RunOptions = {},
  ): Promise<boolean> {
    const ticket = opts.beside ? this.#ticket : ++this.#ticket;
    const current = () => ticket === this.#ticket;
    this.#fetching = opts.beside ? this.#fetching + 1 : 1;
    try {
      const value = await fetch(() => !current());
      if (!current()) return false;
      apply(value);
      this.error = null;
      return true;
    } catch (err) {
      if (current()) {
        if (!opts.quiet) this.error = errorMessage(err);
        opts.failed?.(err);
      }
      return false;
    } finally {
      if (current()) this.#fetching--;
    }
  }

  /**
   * Runs something the person asked for (open a project, start a run, export): `loading`
   * while it runs, the error line cleared as it starts and set if it fails. No request
   * overtakes it, since it happened either way. Resolves to its value, or undefined on failure.
   */
  async act<T>(action: () => Promise<T>): Promise<T | undefined> {
    this.#acting++;
    this.error = null;
    try {
      return await action();
    } catch (err) {
      this.error = errorMessage(err);
      return undefined;
    } finally {
      this.#acting--;
    }
  }

  /** Forgets whatever is in flight: its answer, or its failure, will not land. */
  drop(): void {
    this.#ticket++;
    this.#fetching = 0;
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
