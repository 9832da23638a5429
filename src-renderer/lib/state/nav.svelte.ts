// Which page of the shell is showing, kept in the URL's hash so a reload stays put.
// The token lives in the query string, which this never touches.
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

export class NavState {
  #page = $state<PageId>(fromHash());

  constructor() {
    window.addEventListener('hashchange', () => (this.#page = fromHash()));
  }

  get page(): PageId {
    return this.#page;
  }

  go(page: PageId): void {
    this.#page = page;
    history.replaceState(null, '', `#/${page}`);
  }
}

function fromHash(): PageId {
  // A page may carry a path after its id (#/runs/12 is a run's page).
  const id = location.hash.replace(/^#\/?/, '').split('/')[0];
  const item = NAV_ITEMS.find((i) => i.id === id && i.ready);
  return item ? item.id : 'dataset';
}
