// Which project is open. The server may start with one already open, in which case the
// app goes straight to it; otherwise the person opens or creates one by folder, or picks
// one of the recent projects the studio keeps for this user (one list for both doors).
import type { RecentProject } from '../../../src-shared/folders';
import type { ProjectInfo } from '../../../src-shared/schemas';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export class ProjectState {
  #info = $state.raw<ProjectInfo | null>(null);
  #loaded = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #recents = $state.raw<RecentProject[]>([]);
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
  get recents(): RecentProject[] {
    return this.#recents;
  }

  async load(): Promise<void> {
    try {
      this.#info = await this.#studio.api.project.current();
      this.#error = null;
      await this.#loadRecents();
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#loaded = true;
    }
  }

  /** A recent project was opened before, so it needs no choosing; a typed path does. */
  async open(path: string, create: boolean): Promise<void> {
    this.#busy = true;
    this.#error = null;
    try {
      const recent = this.#recents.some((r) => r.path === path);
      this.#info = await this.#studio.api.project.open({
        path: recent ? path : await this.#studio.choose(path),
        create,
      });
      await this.#loadRecents();
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
      await this.#loadRecents();
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  async forget(path: string): Promise<void> {
    try {
      await this.#studio.api.project.forget({ path });
      await this.#loadRecents();
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  async #loadRecents(): Promise<void> {
    this.#recents = await this.#studio.api.project.recent();
  }
}
