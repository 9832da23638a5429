// Choosing a folder or file: the desktop's own dialog where the app runs in Electron, else
// the folder browser the server offers (a browser page cannot see the disk). What is chosen
// is allowed for the session, since calls may only touch chosen paths.
import type { FolderListing, FolderRoot, PickKind } from '../../../src-shared/folders';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export class FolderPickerState {
  #open = $state(false);
  #listing = $state.raw<FolderListing | null>(null);
  #roots = $state.raw<FolderRoot[]>([]);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #native: boolean | null = null;
  #onchosen: (path: string) => void = () => undefined;
  readonly #studio: Connection;
  readonly kind: PickKind;
  readonly extensions: string[];

  constructor(studio: Connection, kind: PickKind, extensions: string[] = []) {
    this.#studio = studio;
    this.kind = kind;
    this.extensions = extensions;
  }

  get open(): boolean {
    return this.#open;
  }
  get listing(): FolderListing | null {
    return this.#listing;
  }
  get roots(): FolderRoot[] {
    return this.#roots;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Opens the desktop's dialog, or the browser, at `start` (a folder or a file in one) when given. */
  async browse(start: string, onchosen: (path: string) => void): Promise<void> {
    this.#error = null;
    try {
      this.#native ??= (await this.#studio.api.folders.capabilities()).nativePicker;
      if (this.#native) {
        const { path } = await this.#studio.api.folders.pickNative({
          kind: this.kind,
          extensions: this.extensions,
          defaultPath: start || undefined,
        });
        if (path) onchosen(path);
        return;
      }
      this.#onchosen = onchosen;
      this.#open = true;
      this.#roots = await this.#studio.api.folders.roots();
      // A typed path that cannot be listed (not made yet, a file) starts the browser at its first root.
      if (!(start && (await this.go(start, true)))) await this.go(undefined);
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  /** Lists `path` (the first root when undefined); false when it cannot be listed. */
  async go(path: string | undefined, quiet = false): Promise<boolean> {
    this.#loading = true;
    try {
      this.#listing = await this.#studio.api.folders.browse({ path, extensions: this.extensions });
      this.#error = null;
      return true;
    } catch (err) {
      if (!quiet) this.#error = errorMessage(err);
      return false;
    } finally {
      this.#loading = false;
    }
  }

  async choose(path: string): Promise<void> {
    try {
      await this.#studio.choose(path);
      this.#open = false;
      this.#onchosen(path);
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  cancel(): void {
    this.#open = false;
  }
}
