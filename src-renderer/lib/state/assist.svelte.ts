// The labeling assistant as the dataset page shows it: its state (from its events), its
// suggestion for each unlabeled image (fetched again whenever it has trained), and the
// accept-above dialog's preview and answer.
import type { AcceptOutput, AssistState, Suggestion } from '../../../src-shared/assist';
import type { EditResult, ImageSummary } from '../../../src-shared/schemas';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

/** How the grid's assistant view was made, for its label and for the queue's next page. */
export type AssistView = { kind: 'similar' | 'order' | 'queue'; label: string };

/** Grid orders the assistant offers: by suggestion over the unlabeled images, or its doubts over the labeled ones. */
export type SuggestionOrder = 'confidence' | 'uncertainty' | 'disagreement';

export class AssistPanelState {
  #view = $state.raw<AssistView | null>(null);
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
  /** The assistant's view the grid shows (its filter holds the ids), or null. */
  get view(): AssistView | null {
    return this.#view;
  }
  setView(view: AssistView | null): void {
    this.#view = view;
  }

  /** "More like this": the image first, then its nearest neighbours. */
  async similar(imageId: number, count = 47): Promise<number[]> {
    const out = await this.#studio.api.assist.similar({ imageId, count });
    return [imageId, ...out.items.map((s) => s.imageId)];
  }

  /** Image ids in a suggestion order, optionally of one predicted class. */
  async ordered(order: SuggestionOrder, classId: number | undefined): Promise<number[]> {
    if (order === 'disagreement') {
      const out = await this.#studio.api.assist.disagreements({ limit: 2000 });
      return out.items.filter((d) => classId === undefined || d.suggestedClassId === classId).map((d) => d.imageId);
    }
    const out = await this.#studio.api.assist.suggestions({ which: 'unlabeled', classId, sort: order, limit: 200_000 });
    return out.items.map((s) => s.imageId);
  }

  /** "Label next": a page of the queue (uncertain, spread over the features). */
  async nextPage(count = 20): Promise<number[]> {
    return (await this.#studio.api.assist.queue({ count })).items.map((s) => s.imageId);
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
    this.#view = null;
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

  /** Whether the newest training suggests a class for this image (it was unlabeled when it trained). */
  suggests(imageId: number): boolean {
    return this.#suggestions.has(imageId);
  }

  /** Accepts the suggestions of these images (the unlabeled ones among them) as one edit. */
  async acceptImages(imageIds: number[]): Promise<EditResult & { total: number }> {
    return this.#studio.api.assist.accept({ threshold: 0, imageIds });
  }

  /** Called after each new training has been taken in (the queue's page follows it). */
  onTrained: () => void = () => undefined;

  #take(s: AssistState): void {
    const trained = s.version !== this.#state?.version;
    this.#state = s;
    if (trained && s.version > 0) void this.#loadSuggestions(s.version).then(() => this.onTrained());
  }

  async #loadSuggestions(version: number): Promise<void> {
    const out = await this.#studio.api.assist.suggestions({ which: 'unlabeled', sort: 'image', limit: 200_000 });
    if (out.version === version) this.#suggestions = new Map(out.items.map((s) => [s.imageId, s]));
  }
}
