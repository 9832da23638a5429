// One page at a time of the files an import could not take, with the reason for each.
import type { Problem } from '../../../src-shared/schemas';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export const PROBLEMS_PAGE_SIZE = 100;

export class ProblemsState {
  #page = $state(0);
  #items = $state.raw<Problem[]>([]);
  #total = $state(0);
  #pageCount = $derived(Math.max(1, Math.ceil(this.#total / PROBLEMS_PAGE_SIZE)));
  readonly #studio: Connection;
  readonly #request = new Request();

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
    return this.#request.loading;
  }
  get error(): string | null {
    return this.#request.error;
  }

  /** Shows `page`; a later page asked for meanwhile wins. */
  async load(page = this.#page): Promise<void> {
    await this.#request.run(
      () => this.#studio.api.dataset.problems({ offset: page * PROBLEMS_PAGE_SIZE, limit: PROBLEMS_PAGE_SIZE }),
      (result) => {
        this.#page = page;
        this.#items = result.items;
        this.#total = result.total;
      },
    );
  }
}
