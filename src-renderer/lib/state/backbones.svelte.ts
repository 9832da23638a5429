// The backbones the launcher offers and their weights: the registry with what the model
// cache holds, downloads with their progress, and imports of a user's Keras .h5 file.
import type { BackboneDownload, BackboneInfo } from '../../../src-shared/backbones';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export class BackbonesState {
  readonly #studio: Connection;
  #list = $state.raw<BackboneInfo[]>([]);
  #downloads = $state.raw<Record<string, BackboneDownload>>({});
  #importing = $state(false);
  #importError = $state<string | null>(null);
  readonly #request = new Request();

  constructor(studio: Connection) {
    this.#studio = studio;
    studio.on('backbones.download', (d) => this.#progress(d));
  }

  get list(): BackboneInfo[] {
    return this.#list;
  }
  get recommended(): BackboneInfo | undefined {
    return this.#list.find((b) => b.recommended);
  }
  get importing(): boolean {
    return this.#importing;
  }
  get importError(): string | null {
    return this.#importError;
  }
  get error(): string | null {
    return this.#request.error;
  }

  download(id: string): BackboneDownload | undefined {
    return this.#downloads[id];
  }

  async load(): Promise<void> {
    await this.#request.run(
      () => this.#studio.api.backbones.list(),
      (list) => (this.#list = list),
    );
  }

  #progress(d: BackboneDownload): void {
    this.#downloads = { ...this.#downloads, [d.id]: d };
    if (d.state === 'done') void this.load();
  }

  async startDownload(id: string): Promise<void> {
    try {
      this.#progress(await this.#studio.api.backbones.download({ id }));
    } catch (err) {
      this.#request.error = errorMessage(err);
    }
  }

  async cancelDownload(id: string): Promise<void> {
    await this.#studio.api.backbones.cancelDownload({ id });
  }

  /** Checks the file against the architecture; the list shows it as present when it fits. */
  async importFile(file: string, id: string): Promise<boolean> {
    this.#importing = true;
    this.#importError = null;
    try {
      await this.#studio.api.backbones.import({ file: await this.#studio.choose(file), id });
      await this.load();
      return true;
    } catch (err) {
      this.#importError = errorMessage(err);
      return false;
    } finally {
      this.#importing = false;
    }
  }
}
