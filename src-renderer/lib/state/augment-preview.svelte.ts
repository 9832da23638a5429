// The Train page's augmentation preview: the engine's own augmentation on a few training
// images, with the run's seed and input size, so unshuffled it shows the very views the run
// will cache. The fields are bound into the launcher's form and typed one keystroke at a
// time, so this follows the form and asks once the settings have been still for a moment;
// only the latest answer is shown.
import type { AugmentPreviewInput, AugmentPreviewOutput } from '../../../src-shared/runs';
import type { RunForm } from '../run-form';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export const PREVIEW_DEBOUNCE_MS = 250;

export class AugmentPreviewState {
  #items = $state.raw<AugmentPreviewOutput['items']>([]);
  #shuffle = $state(0);
  readonly #request = new Request();
  readonly #form: () => RunForm;
  readonly #stop: () => void;

  constructor(studio: Connection, form: () => RunForm, debounceMs = PREVIEW_DEBOUNCE_MS) {
    this.#form = form;
    // The form changes through bindings, not calls, so following it takes a reaction; it
    // ends with dispose, when the page closes.
    this.#stop = $effect.root(() => {
      $effect(() => {
        const input = previewInput(this.#form(), this.seed);
        if (!input) return;
        // An answer to settings changed since must not land, even before the next ask goes out.
        this.#request.drop();
        const timer = setTimeout(
          () =>
            void this.#request.run(
              () => studio.api.runs.augmentPreview(input),
              (out) => (this.#items = out.items),
            ),
          debounceMs,
        );
        return () => clearTimeout(timer);
      });
    });
  }

  get items(): AugmentPreviewOutput['items'] {
    return this.#items;
  }
  get error(): string | null {
    return this.#request.error;
  }
  get loading(): boolean {
    return this.#request.loading;
  }
  /** The run's seed, moved on by each reshuffle. */
  get seed(): number {
    return (Math.trunc(Number(this.#form().input.config.seed)) || 0) + this.#shuffle;
  }

  reshuffle(): void {
    this.#shuffle += 1;
  }

  dispose(): void {
    this.#stop();
  }
}

/** What the engine is asked for: at most four views of three images, at a size it accepts. */
function previewInput(form: RunForm, seed: number): AugmentPreviewInput | null {
  const { augment: on, inputSize: size0 } = form.input.config;
  if (!on) return null;
  const augment = $state.snapshot(on);
  const views = Math.max(1, Math.min(4, Math.trunc(augment.views) || 1));
  const inputSize = Number(size0);
  const size = inputSize >= 16 && inputSize <= 1024 ? Math.trunc(inputSize) : undefined;
  return { augment, seed, count: 3, views, ...(size ? { inputSize: size } : {}) };
}
