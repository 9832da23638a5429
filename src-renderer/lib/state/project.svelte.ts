// Which project is open. The server may start with one already open, in which case the
// app goes straight to it; otherwise the person opens or creates one by folder path.
import type { ProjectInfo } from '../../../src-shared/schemas';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

const RECENTS_KEY = 'finetune-studio.recent-projects';
const MAX_RECENTS = 8;

export class ProjectState {
  #info = $state.raw<ProjectInfo | null>(null);
  #loaded = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #recents = $state.raw<string[]>(readRecents());
  readonly #studio: Connection;

  constructor(studio: Connection) {
    this.#studio = studio;
    studio.on('project.changed', (info) => (this.#info = info));
  }

  get info(): ProjectInfo | null {
    return this.#info;
  }
  /** False until the first answer from the studio, so the app does not flash the project screen. */
  get loaded(): boolean {
    return this.#loaded;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }
  get recents(): string[] {
    return this.#recents;
  }

  async load(): Promise<void> {
    try {
      this.#info = await this.#studio.api.project.current();
      this.#error = null;
      if (this.#info) this.#remember(this.#info.path);
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#loaded = true;
    }
  }

  async open(path: string, create: boolean): Promise<void> {
    this.#busy = true;
    this.#error = null;
    try {
      this.#info = await this.#studio.api.project.open({ path, create });
      this.#remember(this.#info.path);
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#busy = false;
    }
  }

  async close(): Promise<void> {
    try {
      await this.#studio.api.project.close();
      this.#info = null;
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  forget(path: string): void {
    this.#recents = this.#recents.filter((p) => p !== path);
    writeRecents(this.#recents);
  }

  #remember(path: string): void {
    this.#recents = [path, ...this.#recents.filter((p) => p !== path)].slice(0, MAX_RECENTS);
    writeRecents(this.#recents);
  }
}

function readRecents(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(RECENTS_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return []; // A damaged list is not worth an error: start a new one.
  }
}

function writeRecents(paths: string[]): void {
  try {
    localStorage.setItem(RECENTS_KEY, JSON.stringify(paths));
  } catch {
    // Storage can be full or disabled; recents are a convenience only.
  }
}
