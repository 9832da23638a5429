// Which project is open. The server may start with one already open, in which case the
// app goes straight to it; otherwise the person opens or creates one by folder, or picks
// one of the recent projects the studio keeps for this user (one list for both doors).
import type { RecentProject } from '../../../src-shared/folders';
import type { ProjectInfo } from '../../../src-shared/schemas';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export class ProjectState {
  #info = $state.raw<ProjectInfo | null>(null);
  #loaded = $state(false);
  // Closing, forgetting and loading share the error line with opening; only opening shows as busy.
  readonly #request = new Request();
  readonly #opening = new Request(this.#request);
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
    return this.#opening.loading;
  }
  get error(): string | null {
    return this.#request.error;
  }
  get recents(): RecentProject[] {
    return this.#recents;
  }

  async load(): Promise<void> {
    await this.#request.act(async () => {
      this.#info = await this.#studio.api.project.current();
      await this.#loadRecents();
    });
    this.#loaded = true;
  }

  /** A recent project was opened before, so it needs no choosing; a typed path does. */
  async open(path: string, create: boolean): Promise<void> {
    await this.#opening.act(async () => {
      const recent = this.#recents.some((r) => r.path === path);
      this.#info = await this.#studio.api.project.open({
        path: recent ? path : await this.#studio.choose(path),
        create,
      });
      await this.#loadRecents();
    });
  }

  async close(): Promise<void> {
    await this.#request.act(async () => {
      await this.#studio.api.project.close();
      this.#info = null;
      await this.#loadRecents();
    });
  }

  async forget(path: string): Promise<void> {
    await this.#request.act(async () => {
      await this.#studio.api.project.forget({ path });
      await this.#loadRecents();
    });
  }

  async #loadRecents(): Promise<void> {
    this.#recents = await this.#studio.api.project.recent();
  }
}
