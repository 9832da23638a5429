// The embedding map as the dataset page shows it: the studio's map state (from its events),
// the points of the current map (fetched in pages when a new map is announced) and their
// colouring fields (fetched again after every label edit and assistant training). Nothing
// is fetched while the panel is closed.
import type { MapLayers, MapState } from '../../../src-shared/map';
import type { ImageFilter } from '../../../src-shared/schemas';
import { decodeLayers, type MapPointSet, type PointLayers, decodePoints } from '../map-data';
import { afterLasso, selectionMask, type MapSelection } from '../map-selection';
import type { Connection } from './connection.svelte';
import { Request } from './request.svelte';

export type ColourBy = 'label' | 'suggestion' | 'split' | 'confidence' | 'cluster';

export class MapViewState {
  #state = $state.raw<MapState | null>(null);
  #points = $state.raw<MapPointSet | null>(null);
  #layers = $state.raw<PointLayers | null>(null);
  // The points of the latest map, and their colourings (asked again after each label edit).
  readonly #pointsRequest = new Request();
  readonly #layersRequest = new Request(this.#pointsRequest);
  #open = $state(false);
  colourBy = $state<ColourBy>('label');
  readonly #studio: Connection;
  #assistVersion = 0;

  constructor(studio: Connection) {
    this.#studio = studio;
    studio.on('map.state', (s) => this.#take(s));
    studio.on('labels.changed', () => this.#open && void this.#loadLayers());
    // A new training of the assistant changes the suggestion and confidence colourings.
    studio.on('assist.state', (a) => {
      if (this.#open && a.version !== this.#assistVersion) void this.#loadLayers();
      this.#assistVersion = a.version;
    });
  }

  get state(): MapState | null {
    return this.#state;
  }
  get points(): MapPointSet | null {
    return this.#points;
  }
  get layers(): PointLayers | null {
    return this.#layers;
  }
  get error(): string | null {
    return this.#pointsRequest.error;
  }
  get open(): boolean {
    return this.#open;
  }

  /** Which points to draw selected for the grid's selection under its filter; null for none. */
  selectionMask(selection: MapSelection, filter: ImageFilter): Uint8Array | null {
    return this.#points ? selectionMask(selection, filter, this.#points, this.#layers) : null;
  }

  /** The grid's selection after a lasso over these images (Ctrl held: `additive`). */
  afterLasso(selection: MapSelection, ids: number[], additive: boolean, filter: ImageFilter): MapSelection {
    if (!this.#points) return selection;
    return afterLasso(selection, ids, additive, { filter, points: this.#points, layers: this.#layers });
  }

  async show(): Promise<void> {
    this.#open = true;
    const s = await this.#pointsRequest.act(() => this.#studio.api.map.state());
    if (s) this.#take(s, true);
  }

  hide(): void {
    this.#open = false;
  }

  compute(): void {
    void this.#pointsRequest.act(() => this.#studio.api.map.compute());
  }

  cancel(): void {
    void this.#pointsRequest.act(() => this.#studio.api.map.cancel());
  }

  clear(): void {
    this.#pointsRequest.drop();
    this.#layersRequest.drop();
    this.#state = null;
    this.#points = null;
    this.#layers = null;
    this.#open = false;
  }

  #take(s: MapState, force = false): void {
    const fresh = s.version !== this.#state?.version;
    this.#state = s;
    if (this.#open && s.version > 0 && (fresh || force || !this.#points)) void this.#loadPoints(s.version);
  }

  async #loadPoints(version: number): Promise<void> {
    const landed = await this.#pointsRequest.run(
      async (stale) => {
        const pages = [];
        let offset = 0;
        // A newer map overtakes this one: stop asking for its pages.
        while (!stale()) {
          const page = await this.#studio.api.map.points({ version, offset });
          pages.push(page);
          offset = page.offset + atob(page.ids).length / 4;
          if (offset >= page.total || page.total === 0) break;
        }
        return pages;
      },
      (pages) => {
        this.#points = decodePoints(pages);
        // Colourings asked for the old points would not fit these.
        this.#layersRequest.drop();
      },
    );
    if (landed) await this.#loadLayers();
  }

  async #loadLayers(): Promise<void> {
    const points = this.#points;
    if (!points) return;
    await this.#layersRequest.run(
      async (stale) => {
        const pages: MapLayers[] = [];
        for (let offset = 0; offset < points.count && !stale();) {
          pages.push(await this.#studio.api.map.layers({ version: points.version, offset }));
          offset += Math.min(50_000, points.count - offset);
        }
        return pages;
      },
      (pages) => (this.#layers = decodeLayers(pages, points.count)),
    );
  }
}
