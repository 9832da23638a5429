// The project's runs: the table's rows, which run page is open (kept in the URL as
// #/runs/<id> so a reload stays put), and the runs picked for comparison. Rows reload
// from runs.list whenever a run changes status or ends an epoch, so a restart shows the
// same as live events did.
import type { RunsProgress, RunSummary } from '../../../src-shared/runs';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export class RunsState {
  readonly #studio: Connection;
  #runs = $state.raw<RunSummary[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #openId = $state<number | null>(runFromHash());
  #compare = $state.raw<number[]>([]);
  #progress = $state.raw<RunsProgress | null>(null);
  #reloading: Promise<void> | null = null;
  #again = false;

  constructor(studio: Connection) {
    this.#studio = studio;
    studio.on('runs.status', () => void this.load());
    studio.on('runs.epoch', () => void this.load());
    studio.on('runs.progress', (p) => (this.#progress = p));
    window.addEventListener('hashchange', () => (this.#openId = runFromHash()));
  }

  get runs(): RunSummary[] {
    return this.#runs;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }
  get openId(): number | null {
    return this.#openId;
  }
  get compare(): number[] {
    return this.#compare;
  }
  /** The latest feature or batch progress of whichever run trains now. */
  get progress(): RunsProgress | null {
    return this.#progress;
  }

  /** Coalesces bursts of events into at most one reload in flight and one after it. */
  load(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = this.#fetch().finally(() => {
      this.#reloading = null;
      if (this.#again) {
        this.#again = false;
        void this.load();
      }
    });
    return this.#reloading;
  }

  async #fetch(): Promise<void> {
    try {
      this.#runs = await this.#studio.api.runs.list();
      this.#error = null;
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#loaded = true;
    }
  }

  open(id: number): void {
    this.#openId = id;
    history.replaceState(null, '', `#/runs/${id}`);
  }

  close(): void {
    this.#openId = null;
    if (runFromHash() !== null) history.replaceState(null, '', '#/runs');
  }

  toggleCompare(id: number): void {
    this.#compare = this.#compare.includes(id) ? this.#compare.filter((x) => x !== id) : [...this.#compare, id];
  }

  clearCompare(): void {
    this.#compare = [];
  }

  clear(): void {
    this.#runs = [];
    this.#compare = [];
    this.#progress = null;
    this.#loaded = false;
  }
}

function runFromHash(): number | null {
  const m = /^#\/?runs\/(\d+)/.exec(location.hash);
  return m ? Number(m[1]) : null;
}
