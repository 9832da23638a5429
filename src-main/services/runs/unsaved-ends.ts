// A run's end that a full disk kept out of the store. Its process is gone, so leaving the
// row `running` would lie until the project is reopened (and then say `interrupted`, with
// the reason lost): the end is kept here, shown in place of the stored row, and written as
// soon as there is space again.
import type { RunStatus } from '../../../src-shared/runs';
import { isDiskFull } from '../../store/db';

export interface RunEnd {
  status: RunStatus;
  message: string;
  finishedAt: number;
}

export class UnsavedEnds {
  readonly #pending = new Map<number, RunEnd>();
  readonly #write: (runId: number, end: RunEnd) => void;
  readonly #retryMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;

  /** `write` stores one end and throws when it cannot. */
  constructor(write: (runId: number, end: RunEnd) => void, retryMs = 5000) {
    this.#write = write;
    this.#retryMs = retryMs;
  }

  keep(runId: number, end: RunEnd): void {
    this.#pending.set(runId, end);
    this.#timer ??= setInterval(() => this.flush(), this.#retryMs).unref();
  }

  /** Stores what waits, and keeps what still does not fit; any other failure drops the end, which the store's own state then shows. */
  flush(): void {
    for (const [runId, end] of this.#pending) {
      try {
        this.#write(runId, end);
        this.#pending.delete(runId);
      } catch (err) {
        if (!isDiskFull(err)) this.#pending.delete(runId);
      }
    }
    if (this.#pending.size === 0) this.stop();
  }

  /** `row` as it would read had its end been stored. */
  over<T extends { id: number; status: RunStatus; message?: string | null }>(row: T): T {
    const end = this.#pending.get(row.id);
    return end ? { ...row, status: end.status, message: end.message } : row;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
