// The one place a page's own state is made and dropped: made when the page opens (which asks
// for its data), disposed when it closes (which drops its event subscriptions), so a page not
// on screen neither listens nor fetches. The shell shows whichever page is open here. The
// dataset and problems pages show app-wide state (the grid, the import's problems) and own none.
import { AugmentPreviewState } from './augment-preview.svelte';
import type { Connection } from './connection.svelte';
import { HealthState } from './health.svelte';
import type { LauncherState } from './launcher.svelte';
import type { Place } from './nav.svelte';
import { RunPageState } from './run-page.svelte';
import type { RunsState } from './runs.svelte';
import { RunsPageState } from './runs-page.svelte';
import { SystemState } from './system.svelte';

export type OpenPage =
  | { page: 'dataset' | 'problems' }
  | { page: 'health'; state: HealthState }
  | { page: 'train'; state: AugmentPreviewState }
  | { page: 'runs'; state: RunsPageState }
  | { page: 'run'; state: RunPageState }
  | { page: 'system'; state: SystemState };

/** The app-wide states some pages read: the runs list, the launcher's form. */
export interface PageInputs {
  runs: RunsState;
  launcher: LauncherState;
}

export class PagesState {
  readonly #studio: Connection;
  readonly #inputs: PageInputs;
  #open = $state.raw<OpenPage | null>(null);
  #key: string | null = null;

  constructor(studio: Connection, inputs: PageInputs) {
    this.#studio = studio;
    this.#inputs = inputs;
  }

  /** The page on screen with its state; null while no project is open. */
  get open(): OpenPage | null {
    return this.#open;
  }

  /** Opens the page at `place`, closing the one before; the same place again keeps its state. */
  show(place: Place): void {
    const key = place.page === 'runs' && place.runId !== null ? `run/${place.runId}` : place.page;
    if (key === this.#key) return;
    this.close();
    this.#key = key;
    this.#open = this.#create(place);
  }

  close(): void {
    const open = this.#open;
    this.#open = null;
    this.#key = null;
    if (open && 'state' in open) open.state.dispose();
  }

  #create({ page, runId }: Place): OpenPage {
    const studio = this.#studio;
    const { runs, launcher } = this.#inputs;
    switch (page) {
      case 'health': {
        const state = new HealthState(studio);
        void state.load();
        return { page, state };
      }
      case 'system': {
        const state = new SystemState(studio);
        void state.load();
        return { page, state };
      }
      case 'train':
        void launcher.load();
        return { page, state: new AugmentPreviewState(studio, () => launcher.form) };
      case 'runs': {
        if (runId !== null) {
          const state = new RunPageState(studio, runId);
          void state.load();
          return { page: 'run', state };
        }
        const state = new RunsPageState(studio, runs);
        void state.load();
        return { page, state };
      }
      default:
        return { page };
    }
  }
}
