// The project's bake-offs as the runs page shows them: each one's table and Pareto chart,
// reloaded from the store when any run changes status or ends an epoch (so a restart shows
// the same). The launcher starts them (LauncherState.startBakeoff).
import type { BakeoffSummary } from '../../../src-shared/bakeoff';
import type { Connection } from './connection.svelte';
import { Coalesced, Request } from './request.svelte';

export class BakeoffState {
  readonly #studio: Connection;
  readonly #off: Array<() => void> = [];
  #summaries = $state.raw<BakeoffSummary[]>([]);
  readonly #request = new Request();
  readonly #reload = new Coalesced(() =>
    this.#request.run(
      async () => {
        const list = await this.#studio.api.runs.bakeoffs();
        return Promise.all(list.map((b) => this.#studio.api.runs.bakeoffSummary({ bakeoffId: b.bakeoffId })));
      },
      (summaries) => (this.#summaries = summaries),
    ),
  );

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
    return this.#request.error;
  }

  /** At most one reload in flight and one queued behind it, however many events arrive. */
  load(): Promise<void> {
    return this.#reload.run();
  }

  dispose(): void {
    for (const off of this.#off) off();
  }
}
