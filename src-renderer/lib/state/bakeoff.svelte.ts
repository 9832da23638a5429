// The project's bake-offs as the runs page shows them: each one's table and Pareto chart,
// reloaded from the store when any run changes status or ends an epoch (so a restart shows
// the same). The launcher starts them (LauncherState.startBakeoff).
import type { BakeoffSummary } from '../../../src-shared/bakeoff';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export class BakeoffState {
  readonly #studio: Connection;
  readonly #off: Array<() => void> = [];
  #summaries = $state.raw<BakeoffSummary[]>([]);
  #error = $state<string | null>(null);
  #loading: Promise<void> | null = null;
  #again = false;

  constructor(studio: Connection) {
    this.#studio = studio;
    this.#off.push(
      studio.on('runs.status', () => void this.load()),
      studio.on('runs.epoch', () => void this.load()),
    );
  }

  get summaries(): BakeoffSummary[] {
    return this.#summaries;
  }
  get error(): string | null {
    return this.#error;
  }

  /** At most one reload in flight and one queued behind it, however many events arrive. */
  load(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#fetch().finally(() => {
      this.#loading = null;
      if (this.#again) {
        this.#again = false;
        void this.load();
      }
    });
    return this.#loading;
  }

  async #fetch(): Promise<void> {
    try {
      const list = await this.#studio.api.runs.bakeoffs();
      this.#summaries = await Promise.all(
        list.map((b) => this.#studio.api.runs.bakeoffSummary({ bakeoffId: b.bakeoffId })),
      );
      this.#error = null;
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  dispose(): void {
    for (const off of this.#off) off();
  }
}
