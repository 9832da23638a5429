// The project's runs: the table's rows and the runs picked for comparison (kept while the
// person moves between pages). Rows reload from runs.list whenever a run changes status or
// ends an epoch, so a restart shows the same as live events did; the Runs page's own state
// follows them through `onchange`.
import type { RunsProgress, RunSummary } from '../../../src-shared/runs';
import { Batched } from '../batched';
import type { Connection } from './connection.svelte';
import { Coalesced, Request } from './request.svelte';

export class RunsState {
  readonly #studio: Connection;
  #runs = $state.raw<RunSummary[]>([]);
  #loaded = $state(false);
  #compare = $state.raw<number[]>([]);
  #progress = $state.raw<RunsProgress | null>(null);
  readonly #request = new Request();
  readonly #reload = new Coalesced(async () => {
    await this.#request.run(
      () => this.#studio.api.runs.list(),
      (runs) => {
        this.#runs = runs;
        this.#changed();
      },
    );
    this.#loaded = true;
  });
  readonly #listeners = new Set<() => void>();
  readonly #arriving = new Batched<RunsProgress>((all) => (this.#progress = all[all.length - 1]));

  constructor(studio: Connection) {
    this.#studio = studio;
    studio.on('runs.status', () => void this.load());
    studio.on('runs.epoch', () => void this.load());
    studio.on('runs.progress', (p) => this.#arriving.add(p));
  }

  get runs(): RunSummary[] {
    return this.#runs;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#request.error;
  }
  get compare(): number[] {
    return this.#compare;
  }
  /** The runs picked for comparison that are still in the list, in the order picked. */
  get comparing(): number[] {
    return this.#compare.filter((id) => this.#runs.some((r) => r.id === id));
  }
  /** The latest feature or batch progress of whichever run trains now. */
  get progress(): RunsProgress | null {
    return this.#progress;
  }

  /** Coalesces bursts of events into at most one reload in flight and one after it. */
  load(): Promise<void> {
    return this.#reload.run();
  }

  /** Calls `listener` after the rows reload or the comparison changes; returns the unsubscribe. */
  onchange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  toggleCompare(id: number): void {
    this.#compare = this.#compare.includes(id) ? this.#compare.filter((x) => x !== id) : [...this.#compare, id];
    this.#changed();
  }

  clearCompare(): void {
    this.#compare = [];
    this.#changed();
  }

  clear(): void {
    this.#runs = [];
    this.#compare = [];
    this.#arriving.cancel();
    this.#progress = null;
    this.#loaded = false;
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
