// The labeling assistant as the dataset page shows it: its state (from its events), its
// suggestion for each unlabeled image (fetched again whenever it has trained), and the
// accept-above dialog's preview and answer.
import type { AcceptOutput, AssistState, Suggestion } from '../../../src-shared/assist';
import type { EditResult, ImageSummary } from '../../../src-shared/schemas';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export class AssistPanelState {
  #state = $state.raw<AssistState | null>(null);
  #suggestions = $state.raw(new Map<number, Suggestion>());
  #preview = $state.raw<AcceptOutput | null>(null);
  readonly #studio: Connection;
  #request = 0;

  constructor(studio: Connection) {
    this.#studio = studio;
    studio.on('assist.state', (s) => this.#take(s));
  }

  get state(): AssistState | null {
    return this.#state;
  }
  get preview(): AcceptOutput | null {
    return this.#preview;
  }

  /** Starts the assistant (it then follows label changes); its progress comes as state events. */
  start(): void {
    this.#studio.api.assist.refresh().catch((err: unknown) => this.#refused(err));
  }

  cancel(): void {
    this.#studio.api.assist.cancel().catch((err: unknown) => this.#refused(err));
  }

  #refused(err: unknown): void {
    if (this.#state) this.#state = { ...this.#state, status: 'failed', message: errorMessage(err) };
  }

  async load(): Promise<void> {
    this.#take(await this.#studio.api.assist.state());
  }

  clear(): void {
    this.#state = null;
    this.#suggestions = new Map();
    this.#preview = null;
    this.#request++;
  }

  /** The ghost chip of a cell: only an unlabeled image has one. */
  suggestionFor(item: ImageSummary | undefined): Suggestion | undefined {
    return item && item.classId === null ? this.#suggestions.get(item.id) : undefined;
  }

  async showPreview(threshold: number, classId: number | undefined): Promise<void> {
    const request = ++this.#request;
    const out = await this.#studio.api.assist.accept({ threshold, classId, preview: true });
    if (request === this.#request) this.#preview = out;
  }

  closePreview(): void {
    this.#preview = null;
    this.#request++;
  }

  /** Accepts as one edit; the answer goes to the history like any edit's. */
  async accept(threshold: number, classId: number | undefined): Promise<EditResult & { total: number }> {
    const out = await this.#studio.api.assist.accept({ threshold, classId });
    this.closePreview();
    return out;
  }

  #take(s: AssistState): void {
    const trained = s.version !== this.#state?.version;
    this.#state = s;
    if (trained && s.version > 0) void this.#loadSuggestions(s.version);
  }

  async #loadSuggestions(version: number): Promise<void> {
    const out = await this.#studio.api.assist.suggestions({ which: 'unlabeled', sort: 'image', limit: 200_000 });
    if (out.version === version) this.#suggestions = new Map(out.items.map((s) => [s.imageId, s]));
  }
}
