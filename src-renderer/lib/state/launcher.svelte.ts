// The run launcher: the backbones to choose from, the form, the learning-rate range test,
// and starting a run or a bake-off (the form's plan on several backbones). The form is one
// deep $state object that the fields bind into; it lives as long as the app, so a plan
// half typed is still there after a look at another page.
import type { BackboneInfo } from '../../../src-shared/backbones';
import type { BakeoffEntry } from '../../../src-shared/bakeoff';
import { StudioError } from '../../../src-shared/errors';
import type { LrRangeProgress } from '../../../src-shared/runs';
import { defaultForm, featureShapeOf, formFields, type FormFields, type RunForm } from '../run-form';
import { BackbonesState } from './backbones.svelte';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export interface LrRange {
  curve: Array<{ lr: number; loss: number }>;
  suggestion: number | null;
}

export class LauncherState {
  readonly #studio: Connection;
  readonly weights: BackbonesState;
  #form = $state<RunForm>(defaultForm(undefined));
  readonly #start = new Request();
  #lrRange = $state.raw<LrRange | null>(null);
  readonly #lr = new Request();
  // A failed cancel shows on the range test's line; `lrCancelling` lasts until the test ends.
  readonly #lrCancel = new Request(this.#lr);
  #lrNotice = $state<string | null>(null);
  #lrProgress = $state.raw<LrRangeProgress | null>(null);
  #lrCancelling = $state(false);
  readonly #bakeoff = new Request();

  constructor(studio: Connection) {
    this.#studio = studio;
    this.weights = new BackbonesState(studio);
    studio.on('runs.lrRange', (p) => {
      if (this.#lr.loading) this.#lrProgress = p;
    });
  }

  get backbones(): BackboneInfo[] {
    return this.weights.list;
  }
  get form(): RunForm {
    return this.#form;
  }
  /** The form's fields that the page shows in another shape than the config's. */
  get fields(): FormFields {
    return formFields(this.#form);
  }
  get backbone(): BackboneInfo | undefined {
    return this.weights.list.find((b) => b.id === this.#form.input.config.backboneId);
  }
  get featureShape(): [number, number, number] | null {
    return featureShapeOf(this.backbone, this.#form.input.config.inputSize);
  }
  get starting(): boolean {
    return this.#start.loading;
  }
  get error(): string | null {
    return this.#start.error;
  }
  get lrRange(): LrRange | null {
    return this.#lrRange;
  }
  get lrBusy(): boolean {
    return this.#lr.loading;
  }
  get lrError(): string | null {
    return this.#lr.error;
  }
  /** Why the last test ended without a result when that was the person's choice (a cancel). */
  get lrNotice(): string | null {
    return this.#lrNotice;
  }
  /** The test under way: features, then steps; null before its first report. */
  get lrProgress(): LrRangeProgress | null {
    return this.#lrProgress;
  }
  get lrCancelling(): boolean {
    return this.#lrCancelling;
  }
  get bakeoffStarting(): boolean {
    return this.#bakeoff.loading;
  }
  get bakeoffError(): string | null {
    return this.#bakeoff.error;
  }

  /** The form starts on the recommended backbone: the best one whose ImageNet weights are present. */
  async load(): Promise<void> {
    if (this.weights.list.length > 0) return;
    await this.weights.load();
    if (!this.#form.input.config.backboneId) this.#form = defaultForm(this.weights.recommended ?? this.weights.list[0]);
  }

  /** A new backbone starts at its own input size, which always has a known feature map. */
  chooseBackbone(id: string): void {
    const b = this.weights.list.find((x) => x.id === id);
    this.#form.input.config.backboneId = id;
    if (b) this.#form.input.config.inputSize = b.inputSize;
    this.#lrRange = null;
  }

  dismissError(): void {
    this.#start.error = null;
  }

  async runLrRange(): Promise<void> {
    this.#lrNotice = null;
    this.#lrProgress = null;
    await this.#lr.act(async () => {
      try {
        this.#lrRange = await this.#studio.api.runs.lrRangeTest({ config: $state.snapshot(this.#form.input.config) });
      } catch (err) {
        // A cancel was the person's choice: a notice, not an error.
        if (!(err instanceof StudioError && err.code === 'cancelled')) throw err;
        this.#lrNotice = err.message;
        return;
      }
      if (this.#lrRange.suggestion !== null)
        this.#form.input.config.phase1.optimizer.lr = Number(this.#lrRange.suggestion.toPrecision(2));
    });
    this.#lrCancelling = false;
    this.#lrProgress = null;
  }

  /** Stops the test under way; runLrRange then ends with the studio's "cancelled" message. */
  async cancelLrRange(): Promise<void> {
    if (!this.#lr.loading) return;
    this.#lrCancelling = true;
    const sent = await this.#lrCancel.act(async () => {
      await this.#studio.api.runs.lrRangeCancel();
      return true;
    });
    if (!sent) this.#lrCancelling = false;
  }

  /** Starts the run; returns the first run's id, or null with the studio's reason shown. */
  async start(): Promise<number | null> {
    // The form holds the contract's input itself; the snapshot is the plain copy the wire takes.
    const out = await this.#start.act(() => this.#studio.api.runs.start($state.snapshot(this.#form.input)));
    return out?.runIds[0] ?? null;
  }

  /** Queues one run per entry on the form's plan; returns its first run's id, or null with the reason shown. */
  async startBakeoff(entries: BakeoffEntry[]): Promise<number | null> {
    const { config, name } = $state.snapshot(this.#form.input);
    const out = await this.#bakeoff.act(() =>
      this.#studio.api.runs.bakeoff({ config, entries, ...(name ? { name } : {}) }),
    );
    return out?.runIds[0] ?? null;
  }
}
