// The Health page's data: the report, the duplicate clusters, the reduction scan's progress,
// and the actions (fix leakage, split, CSV). While the page is open any label change or
// finished import reloads it, so an undo from the top bar shows here at once.
import type {
  CurationProgress,
  DuplicateCluster,
  DuplicatesReport,
  HealthReport,
  SplitInput,
} from '../../../src-shared/curation';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export class HealthState {
  #report = $state.raw<HealthReport | null>(null);
  #dupes = $state.raw<DuplicatesReport | null>(null);
  #progress = $state.raw<CurationProgress | null>(null);
  #busy = $state(false);
  #csvExported = $state<string | null>(null);
  readonly #studio: Connection;
  readonly #off: Array<() => void>;
  readonly #request = new Request();

  constructor(studio: Connection) {
    this.#studio = studio;
    this.#off = [
      studio.on('curation.progress', (p) => (this.#progress = p.running ? p : null)),
      studio.on('labels.changed', () => void this.load()),
      studio.on('imports.progress', (p) => p.phase === 'finished' && void this.load()),
    ];
  }

  get report(): HealthReport | null {
    return this.#report;
  }
  get dupes(): DuplicatesReport | null {
    return this.#dupes;
  }
  get progress(): CurationProgress | null {
    return this.#progress;
  }
  get loading(): boolean {
    return this.#request.loading;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#request.error;
  }

  async load(): Promise<void> {
    await this.#request.run(
      async () => [await this.#studio.api.curation.health(), await this.#studio.api.curation.duplicates()] as const,
      ([report, dupes]) => ([this.#report, this.#dupes] = [report, dupes]),
    );
  }

  /** Runs an action; its message (or the error) is the result for a toast. */
  async #act(run: () => Promise<string>): Promise<{ ok: boolean; message: string }> {
    this.#busy = true;
    try {
      const message = await run();
      await this.load();
      return { ok: true, message };
    } catch (err) {
      return { ok: false, message: errorMessage(err) };
    } finally {
      this.#busy = false;
    }
  }

  fix(clusterId: number | 'all') {
    return this.#act(async () => (await this.#studio.api.curation.fixLeakage({ clusterId })).description);
  }

  /**
   * Excludes the copies of these clusters from training, keeping the first image of each
   * (the earliest imported): the usual wish with accidental copies, and one undoable edit.
   */
  excludeCopies(clusters: readonly DuplicateCluster[]) {
    const ids = clusters.flatMap((c) =>
      c.members
        .filter((m) => !m.excluded)
        .slice(1)
        .map((m) => m.id),
    );
    return this.#act(async () => {
      await this.#studio.api.labels.setExcluded({ imageIds: ids, excluded: true });
      return `Excluded ${ids.length} cop${ids.length === 1 ? 'y' : 'ies'} from training, one image of each cluster kept; the files stay`;
    });
  }

  undo() {
    return this.#act(async () => {
      await this.#studio.api.labels.undo();
      return 'Undone';
    });
  }

  split(input: SplitInput) {
    return this.#act(async () => {
      const out = await this.#studio.api.curation.split(input);
      const { train, val, test } = out.counts;
      const clusters = out.clusters
        ? `, ${out.clusters} near-duplicate cluster${out.clusters === 1 ? '' : 's'} kept together`
        : '';
      return `Split ${train} / ${val} / ${test} (train / val / test)${out.groups ? ` in ${out.groups} groups` : ''}${clusters}`;
    });
  }

  exportCsv(file: string) {
    return this.#act(async () => {
      const out = await this.#studio.api.curation.exportCsv({ file: await this.#studio.choose(file) });
      this.#csvExported = out.file;
      return `Wrote ${out.rows} rows to ${file}`;
    });
  }

  /** The last CSV this page exported (a browser downloads it from the server). */
  get csvExported(): string | null {
    return this.#csvExported;
  }

  importCsv(file: string) {
    return this.#act(async () => {
      const out = await this.#studio.api.curation.importCsv({ file: await this.#studio.choose(file) });
      return `Read ${out.rows} rows; ${out.changed} images changed`;
    });
  }

  dispose(): void {
    for (const off of this.#off) off();
  }
}
