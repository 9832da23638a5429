// The Runs page beyond its table: the k-fold groups' summaries, the details and curves of the
// runs ticked for comparison, and the bake-offs. Groups and comparisons follow the runs list,
// and ask again only when a run they cover changes status or ends an epoch.
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import type { GroupSummary, RunDetail, RunSummary } from '../../../src-shared/runs';
import { BakeoffState } from './bakeoff.svelte';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';
import type { RunsState } from './runs.svelte';

export interface ComparedRun {
  run: RunDetail;
  epochs: EpochMetrics[];
}

export class RunsPageState {
  readonly bakeoffs: BakeoffState;
  readonly #studio: Connection;
  readonly #runs: RunsState;
  readonly #off: () => void;
  #groups = $state.raw<GroupSummary[]>([]);
  #compared = $state.raw<ComparedRun[]>([]);
  // What was last asked for; a change of key is a reason to ask again.
  #groupKey: string | null = null;
  #compareKey: string | null = null;
  readonly #groupRequest = new Request();
  readonly #compareRequest = new Request();

  constructor(studio: Connection, runs: RunsState) {
    this.#studio = studio;
    this.#runs = runs;
    this.bakeoffs = new BakeoffState(studio);
    this.#off = runs.onchange(() => this.#follow());
  }

  get groups(): GroupSummary[] {
    return this.#groups;
  }
  get compared(): ComparedRun[] {
    return this.#compared;
  }

  async load(): Promise<void> {
    this.#follow();
    await this.bakeoffs.load();
  }

  dispose(): void {
    this.#off();
    this.bakeoffs.dispose();
  }

  #follow(): void {
    const rows = this.#runs.runs;
    const groupKey = keyOf(rows.filter((r) => r.groupId !== null));
    if (groupKey !== this.#groupKey) {
      this.#groupKey = groupKey;
      void this.#loadGroups([...new Set(rows.flatMap((r) => (r.groupId === null ? [] : [r.groupId])))]);
    }
    // The page compares two runs or more; one ticked run shows nothing yet.
    const picked = this.#runs.comparing;
    const ids = picked.length >= 2 ? picked : [];
    const compareKey = keyOf(ids.map((id) => rows.find((r) => r.id === id)!));
    if (compareKey !== this.#compareKey) {
      this.#compareKey = compareKey;
      void this.#loadCompared(ids);
    }
  }

  // A failed ask keeps the last answer on screen; the next change of the runs asks again.
  async #loadGroups(ids: number[]): Promise<void> {
    await this.#groupRequest.run(
      () => Promise.all(ids.map((groupId) => this.#studio.api.runs.groupSummary({ groupId }))),
      (groups) => (this.#groups = groups),
      { quiet: true, failed: () => (this.#groupKey = null) },
    );
  }

  async #loadCompared(ids: number[]): Promise<void> {
    await this.#compareRequest.run(
      () =>
        Promise.all(
          ids.map(async (runId) => {
            const [run, e] = await Promise.all([
              this.#studio.api.runs.get({ runId }),
              this.#studio.api.runs.epochs({ runId }),
            ]);
            return { run, epochs: [...e.phase1, ...e.phase2] };
          }),
        ),
      (rows) => (this.#compared = rows),
      { quiet: true, failed: () => (this.#compareKey = null) },
    );
  }
}

/** Changes whenever one of `runs` changes status or gains an epoch, or the set or its order changes. */
function keyOf(runs: RunSummary[]): string {
  return runs.map((r) => `${r.id}:${r.status}:${r.epochs}`).join();
}
