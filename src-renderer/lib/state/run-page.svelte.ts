// One run's page: its detail and per-epoch metrics, loaded from the store (so a restart
// shows everything) and extended by runs.epoch events while it trains; the test
// predictions behind a confusion-matrix cell or the highest-loss gallery; and for a k-fold
// run, its group's suspected label errors, a tab whose state lives while the tab is shown.
import type { ExportFormat } from '../../../src-shared/engine-export';
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import type { RunDetail, RunPrediction } from '../../../src-shared/runs';
import { errorMessage } from '../api';
import { Batched } from '../batched';
import type { Connection } from './connection.svelte';
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
  #error = $state<string | null>(null);
  #cell = $state.raw<Cell | null>(null);
  #predictions = $state.raw<RunPrediction[]>([]);
  #predTotal = $state(0);
  #busy = $state(false);
  #relabeled = $state.raw(new Map<number, string>());
  #exporting = $state(false);
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
    return this.#error;
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
    return this.#busy;
  }
  get exporting(): boolean {
    return this.#exporting;
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

  async load(): Promise<void> {
    try {
      const [detail, epochs] = await Promise.all([
        this.#studio.api.runs.get({ runId: this.runId }),
        this.#studio.api.runs.epochs({ runId: this.runId }),
      ]);
      this.#detail = detail;
      this.#epochs = [...epochs.phase1, ...epochs.phase2];
      this.#error = null;
      if (detail.status === 'done') await this.loadPredictions();
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  /** The test images of one confusion cell (null: every test image), highest loss first. */
  async showCell(cell: Cell | null): Promise<void> {
    this.#cell = cell;
    await this.loadPredictions();
  }

  async loadPredictions(): Promise<void> {
    try {
      const out = await this.#studio.api.runs.predictions({ runId: this.runId, ...(this.#cell ?? {}), limit: 48 });
      this.#predictions = out.items;
      this.#predTotal = out.total;
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  async act(what: 'cancel' | 'resume'): Promise<void> {
    this.#busy = true;
    try {
      await this.#studio.api.runs[what]({ runId: this.runId });
      await this.load();
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#busy = false;
    }
  }

  /** Writes the finished run's model into <project>/runs/<id>/export (tfjs) or export-onnx. */
  async exportModel(format: ExportFormat): Promise<void> {
    this.#exporting = true;
    try {
      const out = await this.#studio.api.runs.export({ runId: this.runId, format });
      this.#exported = { dir: out.dir, format, files: out.files };
      this.#error = null;
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#exporting = false;
    }
  }

  /** Fixes an image's label in the project (one undoable edit). */
  async relabel(imageId: number, classId: number): Promise<void> {
    try {
      await this.#studio.api.labels.assign({ imageIds: [imageId], classId });
      await this.#refreshLabels([imageId]);
    } catch (err) {
      this.#error = errorMessage(err);
    }
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
