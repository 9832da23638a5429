// The Train page's augmentation preview: the engine's own augmentation on a few training
// images, with the run's seed and input size, so unshuffled it shows the very views the run
// will cache. The fields are bound into the launcher's form and typed one keystroke at a
// time, so this follows the form and asks once the settings have been still for a moment;
// only the latest answer is shown.
import type { AugmentPreviewInput, AugmentPreviewOutput } from '../../../src-shared/runs';
import { errorMessage } from '../api';
import type { RunForm } from '../run-form';
import type { Connection } from './connection.svelte';

export const PREVIEW_DEBOUNCE_MS = 250;

export class AugmentPreviewState {
  #items = $state.raw<AugmentPreviewOutput['items']>([]);
  #shuffle = $state(0);
  #error = $state<string | null>(null);
  #loading = $state(false);
  readonly #form: () => RunForm;
  readonly #stop: () => void;
  #asked = 0;

  constructor(studio: Connection, form: () => RunForm, debounceMs = PREVIEW_DEBOUNCE_MS) {
    this.#form = form;
    // The form changes through bindings, not calls, so following it takes a reaction; it
    // ends with dispose, when the page closes.
    this.#stop = $effect.root(() => {
      $effect(() => {
        if (!this.#form().augmentOn) return;
        const input = previewInput(this.#form(), this.seed);
        const ticket = ++this.#asked;
        const timer = setTimeout(() => void this.#fetch(studio, input, ticket), debounceMs);
        return () => clearTimeout(timer);
      });
    });
  }

  get items(): AugmentPreviewOutput['items'] {
    return this.#items;
  }
  get error(): string | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }
  /** The run's seed, moved on by each reshuffle. */
  get seed(): number {
    return (Math.trunc(Number(this.#form().seed)) || 0) + this.#shuffle;
  }

  reshuffle(): void {
    this.#shuffle += 1;
  }

  dispose(): void {
    this.#stop();
  }

  async #fetch(studio: Connection, input: AugmentPreviewInput, ticket: number): Promise<void> {
    this.#loading = true;
    try {
      const out = await studio.api.runs.augmentPreview(input);
      if (ticket !== this.#asked) return;
      this.#items = out.items;
      this.#error = null;
    } catch (err) {
      if (ticket === this.#asked) this.#error = errorMessage(err);
    } finally {
      if (ticket === this.#asked) this.#loading = false;
    }
  }
}

/** What the engine is asked for: at most four views of three images, at a size it accepts. */
function previewInput(form: RunForm, seed: number): AugmentPreviewInput {
  const augment = $state.snapshot(form.augment);
  const views = Math.max(1, Math.min(4, Math.trunc(augment.views) || 1));
  const inputSize = Number(form.inputSize);
  const size = inputSize >= 16 && inputSize <= 1024 ? Math.trunc(inputSize) : undefined;
  return { augment, seed, count: 3, views, ...(size ? { inputSize: size } : {}) };
}
