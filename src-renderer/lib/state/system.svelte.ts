// The System page's data: the system check's report, asked for when the page opens and on Refresh.
// Probing loads each runtime, which takes a few seconds, so a second ask while one is
// running waits for the same answer.
import type { SystemCheckReport } from '../../../src-shared/system';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export class SystemState {
  #report = $state.raw<SystemCheckReport | null>(null);
  readonly #request = new Request();
  readonly #studio: Connection;
  #pending: Promise<void> | null = null;

  constructor(studio: Connection) {
    this.#studio = studio;
  }

  get report(): SystemCheckReport | null {
    return this.#report;
  }
  get loading(): boolean {
    return this.#request.loading;
  }
  get error(): string | null {
    return this.#request.error;
  }

  load(): Promise<void> {
    return (this.#pending ??= this.#request
      .run(
        () => this.#studio.api.system.doctor(),
        (report) => (this.#report = report),
      )
      .then(() => {
        this.#pending = null;
      }));
  }

  /** The report comes only when asked for: there is no subscription to drop. */
  dispose(): void {}
}
