// The System page's data: the system check's report, asked for when the page opens and on Refresh.
// Probing loads each runtime, which takes a few seconds, so a second ask while one is
// running waits for the same answer.
import type { SystemCheckReport } from '../../../src-shared/system';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export class SystemState {
  #report = $state.raw<SystemCheckReport | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  readonly #studio: Connection;
  #pending: Promise<void> | null = null;

  constructor(studio: Connection) {
    this.#studio = studio;
  }

  get report(): SystemCheckReport | null {
    return this.#report;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  load(): Promise<void> {
    this.#pending ??= this.#fetch().finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #fetch(): Promise<void> {
    this.#loading = true;
    try {
      this.#report = await this.#studio.api.system.doctor();
      this.#error = null;
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#loading = false;
    }
  }

  /** The report comes only when asked for: there is no subscription to drop. */
  dispose(): void {}
}
