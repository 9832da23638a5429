// The edit history (labels, splits, classes) as the studio keeps it: newest first, with what
// an undo or a redo would do next, for the top bar's buttons and the history list.
import type { EditRecord, EditResult } from '../../../src-shared/schemas';
import type { Connection } from './connection.svelte';

const LIMIT = 50;

export class HistoryState {
  #edits = $state.raw<EditRecord[]>([]);
  #canUndo = $state(false);
  #canRedo = $state(false);
  /** The edit an undo would revert: the newest still in force. */
  #nextUndo = $derived(this.#edits.find((e) => !e.undone) ?? null);
  /** The edit a redo would restore: the oldest undone one, if the list reaches back to it. */
  #nextRedo = $derived.by(() => {
    const edit = this.#edits.findLast((e) => e.undone) ?? null;
    const cut = this.#edits.length === LIMIT && this.#edits[LIMIT - 1].undone;
    return cut ? null : edit;
  });
  readonly #studio: Connection;
  #request = 0;

  constructor(studio: Connection) {
    this.#studio = studio;
  }

  get edits(): EditRecord[] {
    return this.#edits;
  }
  get canUndo(): boolean {
    return this.#canUndo;
  }
  get canRedo(): boolean {
    return this.#canRedo;
  }
  get nextUndo(): EditRecord | null {
    return this.#nextUndo;
  }
  get nextRedo(): EditRecord | null {
    return this.#nextRedo;
  }

  find(id: number | null): EditRecord | undefined {
    return id === null ? undefined : this.#edits.find((e) => e.id === id);
  }

  /** An edit's answer says at once whether undo and redo are possible; the list follows. */
  apply(result: EditResult): void {
    this.#canUndo = result.canUndo;
    this.#canRedo = result.canRedo;
  }

  /** Reloads the list and returns it, even when a later load has overtaken this one. */
  async load(): Promise<EditRecord[]> {
    const request = ++this.#request;
    try {
      const { edits, canUndo, canRedo } = await this.#studio.api.labels.history({ limit: LIMIT });
      if (request === this.#request) {
        this.#edits = edits;
        this.#canUndo = canUndo;
        this.#canRedo = canRedo;
      }
      return edits;
    } catch {
      // Without a history the buttons stay as they were; the next change loads it again.
      return this.#edits;
    }
  }

  clear(): void {
    this.#request++;
    this.#edits = [];
    this.#canUndo = false;
    this.#canRedo = false;
  }
}
