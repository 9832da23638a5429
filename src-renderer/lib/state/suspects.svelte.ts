// A k-fold group's label-error candidates for the run page's "Suspected label errors"
// tab: loaded from the group's out-of-fold predictions, relabelled with a number key as one
// undoable edit, and reloaded after any label change (an undo included) so each card says
// what its image is labelled now.
import type { SuspectsOutput } from '../../../src-shared/bakeoff';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export class SuspectsState {
  readonly runId: number;
  readonly #studio: Connection;
  readonly #off: Array<() => void> = [];
  #out = $state.raw<SuspectsOutput | null>(null);
  readonly #request = new Request();

  constructor(studio: Connection, runId: number) {
    this.#studio = studio;
    this.runId = runId;
    this.#off.push(
      studio.on('labels.changed', () => void this.load()),
      studio.on('runs.status', () => void this.load()),
    );
  }

  get output(): SuspectsOutput | null {
    return this.#out;
  }
  get error(): string | null {
    return this.#request.error;
  }
  /** The label each candidate has now, where it differs from the one the runs trained on. */
  get relabeled(): Map<number, string> {
    const out = new Map<number, string>();
    const s = this.#out;
    for (const x of s?.items ?? [])
      if (x.currentClass !== s!.classes[x.given]) out.set(x.imageId, x.currentClass ?? 'unlabeled');
    return out;
  }

  async load(): Promise<void> {
    // Label changes come in bursts: only the latest answer lands.
    await this.#request.run(
      () => this.#studio.api.runs.suspects({ runId: this.runId, limit: 48 }),
      (out) => (this.#out = out),
    );
  }

  async relabel(imageId: number, classId: number): Promise<void> {
    await this.#request.act(() => this.#studio.api.labels.assign({ imageIds: [imageId], classId }));
  }

  dispose(): void {
    for (const off of this.#off) off();
  }
}
