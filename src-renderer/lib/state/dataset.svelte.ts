// The dataset's summary: classes with their counts and colours, and totals by split and
// problem kind. Reloaded as a whole after an import, so it is kept as raw snapshots.
import type { ClassInfo, DatasetStats } from '../../../src-shared/schemas';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export class DatasetState {
  #classes = $state.raw<ClassInfo[]>([]);
  #stats = $state.raw<DatasetStats | null>(null);
  #byId = $derived(new Map(this.#classes.map((c) => [c.id, c])));
  readonly #studio: Connection;
  readonly #request = new Request();

  constructor(studio: Connection) {
    this.#studio = studio;
  }

  get classes(): ClassInfo[] {
    return this.#classes;
  }
  get stats(): DatasetStats | null {
    return this.#stats;
  }
  get error(): string | null {
    return this.#request.error;
  }
  get problemCount(): number {
    return this.#stats?.problems.reduce((sum, p) => sum + p.count, 0) ?? 0;
  }

  classById(id: number | null | undefined): ClassInfo | undefined {
    return id == null ? undefined : this.#byId.get(id);
  }

  async refresh(): Promise<void> {
    await this.#request.run(
      () => Promise.all([this.#studio.api.dataset.classes(), this.#studio.api.dataset.stats()]),
      ([classes, stats]) => {
        // In the order they were made, so a class keeps its key (1-9, 0) when others are added or renamed.
        this.#classes = [...classes].sort((a, b) => a.id - b.id);
        this.#stats = stats;
      },
    );
  }

  clear(): void {
    this.#request.drop();
    this.#classes = [];
    this.#stats = null;
  }
}
