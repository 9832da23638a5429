// The import that is running or has just finished, as told by `imports.progress` events.
// The studio runs one import at a time; this shows the latest one until dismissed.
import type { ImportProgress } from '../../../src-shared/schemas';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

/** While an import runs, the dataset is reloaded at most this often, so the grid grows live. */
const LIVE_REFRESH_MS = 2000;

export class ImportsState {
  #progress = $state.raw<ImportProgress | null>(null);
  // Starting carries the error line; a failed cancel shows there too.
  readonly #start = new Request();
  readonly #cancel = new Request(this.#start);
  #running = $derived(this.#progress?.status === 'running');
  readonly #studio: Connection;
  readonly #onChange: (finished: boolean) => void;
  #lastRefresh = 0;

  /** `onChange` runs when the dataset may have changed: now and then while importing, and at the end. */
  constructor(studio: Connection, onChange: (finished: boolean) => void) {
    this.#studio = studio;
    this.#onChange = onChange;
    studio.on('imports.progress', (progress) => this.#receive(progress));
  }

  get progress(): ImportProgress | null {
    return this.#progress;
  }
  get running(): boolean {
    return this.#running;
  }
  get starting(): boolean {
    return this.#start.loading;
  }
  get cancelling(): boolean {
    return this.#cancel.loading;
  }
  get error(): string | null {
    return this.#start.error;
  }

  async start(folder: string): Promise<boolean> {
    const started = await this.#start.act(async () => {
      const { importId } = await this.#studio.api.imports.start({ folder: await this.#studio.choose(folder) });
      // Events may have beaten the answer here; only fill in a placeholder if not.
      if (this.#progress?.importId !== importId) this.#progress = placeholder(importId, folder);
      return true;
    });
    return started === true;
  }

  async cancel(): Promise<void> {
    const progress = this.#progress;
    if (!progress || progress.status !== 'running') return;
    await this.#cancel.act(() => this.#studio.api.imports.cancel({ importId: progress.importId }));
  }

  /**
   * Catches up with what events may have been missed: after a page reload an import may be
   * running, and after a dropped connection the one shown may have finished meanwhile.
   */
  async resync(): Promise<void> {
    try {
      const records = await this.#studio.api.imports.list();
      const shown = this.#progress;
      const record = shown ? records.find((r) => r.id === shown.importId) : records.find((r) => r.status === 'running');
      if (!record || (shown && shown.status === record.status)) return;
      const base = shown ?? placeholder(record.id, record.root);
      const finished = record.status !== 'running';
      const phase = finished ? 'finished' : base.phase;
      this.#progress = { ...base, status: record.status, total: record.total, done: record.done, phase };
      if (finished) this.#onChange(true);
    } catch {
      // Only a catch-up: the next progress event tells the same.
    }
  }

  dismiss(): void {
    if (this.#running) return;
    this.#progress = null;
    this.#start.error = null;
  }

  #receive(progress: ImportProgress): void {
    this.#progress = progress;
    const finished = progress.status !== 'running';
    const now = Date.now();
    if (finished || now - this.#lastRefresh >= LIVE_REFRESH_MS) {
      this.#lastRefresh = now;
      this.#onChange(finished);
    }
  }
}

function placeholder(importId: number, root: string): ImportProgress {
  return {
    importId,
    root,
    status: 'running',
    phase: 'scanning',
    total: 0,
    done: 0,
    imported: 0,
    skipped: 0,
    problems: 0,
    imagesPerSecond: 0,
    etaSeconds: null,
  };
}
