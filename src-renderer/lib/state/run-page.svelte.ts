// One run's page: its detail and per-epoch metrics, loaded from the store (so a restart
// shows everything) and extended by runs.epoch events while it trains; the test
// predictions behind a confusion-matrix cell or the highest-loss gallery; and for a k-fold
// run, its group's suspected label errors, a tab whose state lives while the tab is shown.
import type { ExportFormat } from '../../../src-shared/engine-export';
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import type { RunDetail, RunPrediction } from '../../../src-shared/runs';
import { Batched } from '../batched';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';
import { SuspectsState } from './suspects.svelte';

/** The last export of this page: where it went, in which format, and the files it wrote. */
export interface Exported {
  dir: string;
  format: ExportFormat;
  files: string[];
}

export interface Cell {
  trueClass: number;
  predicted: number;
}

export class RunPageState {
  readonly runId: number;
  readonly #studio: Connection;
  readonly #off: Array<() => void> = [];
  #detail = $state.raw<RunDetail | null>(null);
  #epochs = $state.raw<EpochMetrics[]>([]);
  // One error line for the page; the gallery, the buttons and the export each have their own
  // ticket or busy flag.
  readonly #request = new Request();
  readonly #gallery = new Request(this.#request);
  readonly #acting = new Request(this.#request);
  readonly #exporting = new Request(this.#request);
  #cell = $state.raw<Cell | null>(null);
  #predictions = $state.raw<RunPrediction[]>([]);
  #predTotal = $state(0);
  #relabeled = $state.raw(new Map<number, string>());
  #exported = $state.raw<Exported | null>(null);
  #suspects = $state.raw<SuspectsState | null>(null);
  readonly #arriving = new Batched<EpochMetrics>((fresh) => {
    const key = (m: EpochMetrics) => `${m.phase}:${m.epoch}`;
    const replaced = new Set(fresh.map(key));
    const kept = this.#epochs.filter((m) => !replaced.has(key(m)));
    this.#epochs = [...kept, ...fresh].sort((a, b) => a.phase - b.phase || a.epoch - b.epoch);
  });

  constructor(studio: Connection, runId: number) {
    this.#studio = studio;
    this.runId = runId;
    this.#off.push(
      studio.on('runs.epoch', (e) => {
        if (e.runId === runId) this.#arriving.add(e.metrics);
      }),
      studio.on('runs.status', (s) => {
        if (s.runId === runId) void this.load();
      }),
      // The backend is stored once the training process has chosen it.
      studio.on('runs.progress', (p) => {
        if (p.runId === runId && p.kind === 'stage' && p.stage === 'starting') void this.load();
      }),
      // An undo (Ctrl+Z anywhere) or another window may change what the gallery shows.
      studio.on('labels.changed', () => void this.#refreshLabels()),
    );
  }

  get detail(): RunDetail | null {
    return this.#detail;
  }
  get epochs(): EpochMetrics[] {
    return this.#epochs;
  }
  get error(): string | null {
    return this.#request.error;
  }
  get cell(): Cell | null {
    return this.#cell;
  }
  get predictions(): RunPrediction[] {
    return this.#predictions;
  }
  get predictionTotal(): number {
    return this.#predTotal;
  }
  /** The label an image of the gallery has now, where it differs from the run's. */
  get relabeled(): Map<number, string> {
    return this.#relabeled;
  }
  get busy(): boolean {
    return this.#acting.loading;
  }
  get exporting(): boolean {
    return this.#exporting.loading;
  }
  get exported(): Exported | null {
    return this.#exported;
  }
  /** The group's suspected label errors while their tab is shown, else null. */
  get suspects(): SuspectsState | null {
    return this.#suspects;
  }

  /** Shows the suspects tab in place of the test gallery, or hides it (dropping its subscriptions). */
  toggleSuspects(): void {
    if (this.#suspects) {
      this.#suspects.dispose();
      this.#suspects = null;
      return;
    }
    this.#suspects = new SuspectsState(this.#studio, this.runId);
    void this.#suspects.load();
  }

  /** Status events come in bursts: only the latest answer lands. */
  async load(): Promise<void> {
    const landed = await this.#request.run(
      () =>
        Promise.all([
          this.#studio.api.runs.get({ runId: this.runId }),
          this.#studio.api.runs.epochs({ runId: this.runId }),
        ]),
      ([detail, epochs]) => {
        this.#detail = detail;
        this.#epochs = [...epochs.phase1, ...epochs.phase2];
      },
    );
    if (landed && this.#detail?.status === 'done') await this.loadPredictions();
  }

  /** The test images of one confusion cell (null: every test image), highest loss first. */
  async showCell(cell: Cell | null): Promise<void> {
    this.#cell = cell;
    await this.loadPredictions();
  }

  /** Cells clicked in turn: only the latest cell's images land. */
  async loadPredictions(): Promise<void> {
    await this.#gallery.run(
      () => this.#studio.api.runs.predictions({ runId: this.runId, ...(this.#cell ?? {}), limit: 48 }),
      (out) => {
        this.#predictions = out.items;
        this.#predTotal = out.total;
      },
    );
  }

  async act(what: 'cancel' | 'resume'): Promise<void> {
    await this.#acting.act(async () => {
      await this.#studio.api.runs[what]({ runId: this.runId });
      await this.load();
    });
  }

  /** Writes the finished run's model into <project>/runs/<id>/export (tfjs) or export-onnx. */
  async exportModel(format: ExportFormat): Promise<void> {
    const out = await this.#exporting.act(() => this.#studio.api.runs.export({ runId: this.runId, format }));
    if (out) this.#exported = { dir: out.dir, format, files: out.files };
  }

  /** Fixes an image's label in the project (one undoable edit). */
  async relabel(imageId: number, classId: number): Promise<void> {
    await this.#request.act(async () => {
      await this.#studio.api.labels.assign({ imageIds: [imageId], classId });
      await this.#refreshLabels([imageId]);
    });
  }

  async #refreshLabels(extra: number[] = []): Promise<void> {
    const classes = this.#detail?.classes ?? [];
    const ids = [...new Set([...this.#relabeled.keys(), ...extra])];
    const details = await Promise.all(ids.map((id) => this.#studio.api.dataset.image({ id }).catch(() => null)));
    const next = new Map<number, string>();
    for (const d of details) {
      const truth = this.#predictions.find((p) => p.imageId === d?.id);
      const runLabel = truth ? classes[truth.trueClass] : undefined;
      if (d && d.className !== runLabel) next.set(d.id, d.className ?? 'unlabeled');
    }
    this.#relabeled = next;
  }

  dispose(): void {
    for (const off of this.#off) off();
    this.#arriving.cancel();
    this.#suspects?.dispose();
    this.#suspects = null;
  }
}
