// Where the shell is: the page, and on the Runs page the run whose page is open. Both live
// in the URL's hash (#/health, #/runs/12) so a reload stays put; the token lives in the query
// string, which this never touches. Every move, a link or the hash edited, tells `onchange`.
export type PageId = 'dataset' | 'problems' | 'health' | 'train' | 'runs' | 'system';

export interface NavItem {
  id: PageId;
  label: string;
  /** Pages that later issues fill in are shown, disabled, so the shell's shape is settled now. */
  ready: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { id: 'dataset', label: 'Dataset', ready: true },
  { id: 'problems', label: 'Problems', ready: true },
  { id: 'health', label: 'Health', ready: true },
  { id: 'train', label: 'Train', ready: true },
  { id: 'runs', label: 'Runs', ready: true },
  { id: 'system', label: 'System', ready: true },
];

export interface Place {
  page: PageId;
  /** The run whose page is open; only on the Runs page. */
  runId: number | null;
}

export class NavState {
  #place = $state.raw<Place>(fromHash());
  readonly #onchange: (place: Place) => void;

  constructor(onchange: (place: Place) => void = () => {}) {
    this.#onchange = onchange;
    window.addEventListener('hashchange', () => this.#move(fromHash()));
  }

  get place(): Place {
    return this.#place;
  }
  get page(): PageId {
    return this.#place.page;
  }
  get runId(): number | null {
    return this.#place.runId;
  }

  go(page: PageId): void {
    this.#move({ page, runId: null }, `#/${page}`);
  }

  openRun(id: number): void {
    this.#move({ page: 'runs', runId: id }, `#/runs/${id}`);
  }

  closeRun(): void {
    this.go('runs');
  }

  #move(place: Place, hash?: string): void {
    if (hash) history.replaceState(null, '', hash);
    if (place.page === this.#place.page && place.runId === this.#place.runId) return;
    this.#place = place;
    this.#onchange(place);
  }
}

function fromHash(): Place {
  // A page may carry a path after its id (#/runs/12 is a run's page).
  const [id, sub] = location.hash.replace(/^#\/?/, '').split('/');
  const item = NAV_ITEMS.find((i) => i.id === id && i.ready);
  if (!item) return { page: 'dataset', runId: null };
  const runId = item.id === 'runs' && sub && /^\d+$/.test(sub) ? Number(sub) : null;
  return { page: item.id, runId };
}
