// The run launcher: the backbones to choose from, the form, the learning-rate range test,
// and starting a run or a bake-off (the form's plan on several backbones). The form is one
// deep $state object that the fields bind into; it lives as long as the app, so a plan
// half typed is still there after a look at another page.
import type { BackboneInfo } from '../../../src-shared/backbones';
import type { BakeoffEntry } from '../../../src-shared/bakeoff';
import { StudioError } from '../../../src-shared/errors';
import type { LrRangeProgress } from '../../../src-shared/runs';
import { errorMessage } from '../api';
import { defaultForm, featureShapeOf, formFields, type FormFields, type RunForm } from '../run-form';
import { BackbonesState } from './backbones.svelte';
import type { Connection } from './connection.svelte';

export interface LrRange {
  curve: Array<{ lr: number; loss: number }>;
  suggestion: number | null;
}

export class LauncherState {
  readonly #studio: Connection;
  readonly weights: BackbonesState;
  #form = $state<RunForm>(defaultForm(undefined));
  #starting = $state(false);
  #error = $state<string | null>(null);
  #lrRange = $state.raw<LrRange | null>(null);
  #lrBusy = $state(false);
  #lrError = $state<string | null>(null);
  #lrNotice = $state<string | null>(null);
  #lrProgress = $state.raw<LrRangeProgress | null>(null);
  #lrCancelling = $state(false);
  #bakeoffStarting = $state(false);
  #bakeoffError = $state<string | null>(null);

  constructor(studio: Connection) {
    this.#studio = studio;
    this.weights = new BackbonesState(studio);
    studio.on('runs.lrRange', (p) => {
      if (this.#lrBusy) this.#lrProgress = p;
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
    return this.#starting;
  }
  get error(): string | null {
    return this.#error;
  }
  get lrRange(): LrRange | null {
    return this.#lrRange;
  }
  get lrBusy(): boolean {
    return this.#lrBusy;
  }
  get lrError(): string | null {
    return this.#lrError;
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
    return this.#bakeoffStarting;
  }
  get bakeoffError(): string | null {
    return this.#bakeoffError;
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
    this.#error = null;
  }

  async runLrRange(): Promise<void> {
    this.#lrBusy = true;
    this.#lrError = null;
    this.#lrNotice = null;
    this.#lrProgress = null;
    try {
      this.#lrRange = await this.#studio.api.runs.lrRangeTest({ config: $state.snapshot(this.#form.input.config) });
      if (this.#lrRange.suggestion !== null)
        this.#form.input.config.phase1.optimizer.lr = Number(this.#lrRange.suggestion.toPrecision(2));
    } catch (err) {
      if (err instanceof StudioError && err.code === 'cancelled') this.#lrNotice = err.message;
      else this.#lrError = errorMessage(err);
    } finally {
      this.#lrBusy = false;
      this.#lrCancelling = false;
      this.#lrProgress = null;
    }
  }

  /** Stops the test under way; runLrRange then ends with the studio's "cancelled" message. */
  async cancelLrRange(): Promise<void> {
    if (!this.#lrBusy) return;
    this.#lrCancelling = true;
    try {
      await this.#studio.api.runs.lrRangeCancel();
    } catch (err) {
      this.#lrCancelling = false;
      this.#lrError = errorMessage(err);
    }
  }

  /** Starts the run; returns the first run's id, or null with the studio's reason shown. */
  async start(): Promise<number | null> {
    this.#starting = true;
    this.#error = null;
    try {
      // The form holds the contract's input itself; the snapshot is the plain copy the wire takes.
      const out = await this.#studio.api.runs.start($state.snapshot(this.#form.input));
      return out.runIds[0] ?? null;
    } catch (err) {
      this.#error = errorMessage(err);
      return null;
    } finally {
      this.#starting = false;
    }
  }

  /** Queues one run per entry on the form's plan; returns its first run's id, or null with the reason shown. */
  async startBakeoff(entries: BakeoffEntry[]): Promise<number | null> {
    this.#bakeoffStarting = true;
    this.#bakeoffError = null;
    try {
      const { config, name } = $state.snapshot(this.#form.input);
      const out = await this.#studio.api.runs.bakeoff({ config, entries, ...(name ? { name } : {}) });
      return out.runIds[0] ?? null;
    } catch (err) {
      this.#bakeoffError = errorMessage(err);
      return null;
    } finally {
      this.#bakeoffStarting = false;
    }
  }
}
