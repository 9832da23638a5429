// One page at a time of the files an import could not take, with the reason for each.
import type { Problem } from '../../../src-shared/schemas';
import { errorMessage } from '../api';
import type { Connection } from './connection.svelte';

export const PROBLEMS_PAGE_SIZE = 100;

export class ProblemsState {
  #page = $state(0);
  #items = $state.raw<Problem[]>([]);
  #total = $state(0);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #pageCount = $derived(Math.max(1, Math.ceil(this.#total / PROBLEMS_PAGE_SIZE)));
  readonly #studio: Connection;
  #request = 0;

  constructor(studio: Connection) {
    this.#studio = studio;
  }

  get page(): number {
    return this.#page;
  }
  get pageCount(): number {
    return this.#pageCount;
  }
  get items(): Problem[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(page = this.#page): Promise<void> {
    const request = ++this.#request;
    this.#loading = true;
    try {
      const result = await this.#studio.api.dataset.problems({
        offset: page * PROBLEMS_PAGE_SIZE,
        limit: PROBLEMS_PAGE_SIZE,
      });
      if (request !== this.#request) return; // A later page was asked for meanwhile.
      this.#page = page;
      this.#items = result.items;
      this.#total = result.total;
      this.#error = null;
    } catch (err) {
      if (request === this.#request) this.#error = errorMessage(err);
    } finally {
      if (request === this.#request) this.#loading = false;
    }
  }
}
