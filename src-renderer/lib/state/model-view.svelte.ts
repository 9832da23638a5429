// "As the model sees it" in the image viewer: the shown image as the engine decodes it for
// the backbone (oriented, on the thumbnails' background, stretched to the launcher's input
// size). The request is derived from what is shown, so a newer image or size replaces it
// without an effect, and the template awaits only the latest one.
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export interface ModelImage {
  imageId: number;
  src: string;
  width: number;
  height: number;
}

/** Settled either way, so a request nobody awaits any more never rejects unhandled. */
export type ModelViewResult = { image: ModelImage; error: null } | { image: null; error: string };

export interface ModelTarget {
  imageId: number | null;
  /** The launcher's input size; a field being typed may hold anything. */
  inputSize: unknown;
}

/** Keras' usual size: what the viewer shows before the launcher has chosen a backbone. */
export const DEFAULT_INPUT_SIZE = 224;

export function usableInputSize(value: unknown): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 8 && n <= 1024 ? n : DEFAULT_INPUT_SIZE;
}

export class ModelViewState {
  #on = $state(false);
  readonly #studio: Connection;
  readonly #target: () => ModelTarget;
  #view = $derived.by(() => (this.#on ? this.#fetch(this.#target().imageId, this.inputSize) : null));

  constructor(studio: Connection, target: () => ModelTarget) {
    this.#studio = studio;
    this.#target = target;
  }

  get on(): boolean {
    return this.#on;
  }
  get inputSize(): number {
    return usableInputSize(this.#target().inputSize);
  }
  /** Null while switched off or no image is shown. */
  get view(): Promise<ModelViewResult> | null {
    return this.#view;
  }

  toggle(): void {
    this.#on = !this.#on;
  }

  #fetch(imageId: number | null, inputSize: number): Promise<ModelViewResult> | null {
    if (imageId === null) return null;
    return this.#studio.api.dataset.modelView({ imageId, inputSize }).then(
      ({ png, width, height }) => ({
        image: { imageId, src: `data:image/png;base64,${png}`, width, height },
        error: null,
      }),
      (err: unknown) => ({ image: null, error: errorMessage(err) }),
    );
  }
}
