// Choosing a folder or file: the desktop's own dialog where the app runs in Electron, else
// the folder browser the server offers (a browser page cannot see the disk). What is chosen
// is allowed for the session, since calls may only touch chosen paths.
import type { FolderListing, FolderRoot, PickKind } from '../../../src-shared/folders';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

/** The folder browsed last, by any picker: where the next one opens when its field is empty. */
const LAST_KEY = 'studio.lastFolder';
function lastFolder(): string | null {
  try {
    return localStorage.getItem(LAST_KEY);
  } catch {
    return null;
  }
}
function rememberFolder(path: string): void {
  try {
    localStorage.setItem(LAST_KEY, path);
  } catch {
    // Storage off (a private window): the picker opens at home instead.
  }
}

export class FolderPickerState {
  #open = $state(false);
  #listing = $state.raw<FolderListing | null>(null);
  #roots = $state.raw<FolderRoot[]>([]);
  readonly #request = new Request();
  #newFolderError = $state<string | null>(null);
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
    return this.#request.loading;
  }
  get error(): string | null {
    return this.#request.error;
  }
  /** Why the last "New folder" failed, naming the problem. */
  get newFolderError(): string | null {
    return this.#newFolderError;
  }

  /** Opens the desktop's dialog, or the browser, at `start` (a folder or a file in one) when given. */
  async browse(start: string, onchosen: (path: string) => void): Promise<void> {
    this.#request.error = null;
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
      // A typed path that cannot be listed (not made yet, a file) starts the browser where the
      // last one was left, else at its first root (home).
      for (const at of [start, lastFolder()]) if (at && (await this.go(at, true))) return;
      await this.go(undefined);
    } catch (err) {
      this.#request.error = errorMessage(err);
    }
  }

  /** Lists `path` (the first root when undefined); false when it cannot be listed. */
  go(path: string | undefined, quiet = false): Promise<boolean> {
    return this.#request.run(
      () => this.#studio.api.folders.browse({ path, extensions: this.extensions }),
      (listing) => {
        this.#listing = listing;
        this.#newFolderError = null;
      },
      { quiet },
    );
  }

  /** Makes `name` inside the folder shown and goes into it; false with the reason when refused. */
  async makeFolder(name: string): Promise<boolean> {
    const parent = this.#listing?.path;
    if (!parent) return false;
    try {
      const { path } = await this.#studio.api.folders.makeFolder({ parent, name });
      this.#newFolderError = null;
      return await this.go(path);
    } catch (err) {
      this.#newFolderError = errorMessage(err);
      return false;
    }
  }

  async choose(path: string): Promise<void> {
    try {
      await this.#studio.choose(path);
      if (this.#listing) rememberFolder(this.#listing.path);
      this.#open = false;
      this.#onchosen(path);
    } catch (err) {
      this.#request.error = errorMessage(err);
    }
  }

  cancel(): void {
    this.#open = false;
  }
}
