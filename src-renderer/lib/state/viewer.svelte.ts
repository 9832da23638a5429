// The image viewer: details for one image, fetched when it is shown. A later request
// wins, so holding an arrow key never leaves an older image on screen. While open it follows
// the grid's cursor, including onto a cell whose page was still loading when the arrow key
// landed on it.
import { untrack } from 'svelte';
import type { ImageDetail, ImageSummary } from '../../../src-shared/schemas';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export class ViewerState {
  #open = $state(false);
  #imageId = $state<number | null>(null);
  #detail = $state.raw<ImageDetail | null>(null);
  readonly #studio: Connection;
  readonly #request = new Request();

  constructor(studio: Connection, cursor: () => ImageSummary | undefined) {
    this.#studio = studio;
    // The cursor moves by keys, clicks, label edits and pages arriving: a reaction follows
    // them all. It lasts as long as the app, so its cleanup is never needed.
    $effect.root(() => {
      $effect(() => {
        const item = cursor();
        if (this.#open && item && item.id !== this.#imageId) untrack(() => void this.show(item.id));
      });
    });
  }

  get open(): boolean {
    return this.#open;
  }
  /** The image asked for; `detail` may still be the previous one while this loads. */
  get imageId(): number | null {
    return this.#imageId;
  }
  get detail(): ImageDetail | null {
    return this.#detail;
  }
  get error(): string | null {
    return this.#request.error;
  }

  async show(id: number): Promise<void> {
    this.#open = true;
    if (id === this.#imageId && this.#detail?.id === id) return;
    this.#imageId = id;
    await this.#request.run(
      () => this.#studio.api.dataset.image({ id }),
      (detail) => (this.#detail = detail),
    );
  }

  /** Fetches the shown image again: its label may have changed. */
  async reload(): Promise<void> {
    const id = this.#imageId;
    if (!this.#open || id === null) return;
    // Gone meanwhile: the next image shown replaces it, so a failure stays quiet.
    await this.#request.run(
      () => this.#studio.api.dataset.image({ id }),
      (detail) => (this.#detail = detail),
      { quiet: true },
    );
  }

  close(): void {
    this.#open = false;
  }
}
