// The embedding map as the dataset page shows it: the studio's map state (from its events),
// the points of the current map (fetched in pages when a new map is announced) and their
// colouring fields (fetched again after every label edit and assistant training). Nothing
// is fetched while the panel is closed.
import type { MapLayers, MapState } from '../../../src-shared/map';
import { errorMessage } from '../api';
import { decodeLayers, type MapPointSet, type PointLayers, decodePoints } from '../map-data';
import type { Connection } from './connection.svelte';

export type ColourBy = 'label' | 'suggestion' | 'split' | 'confidence' | 'cluster';

export class MapViewState {
  #state = $state.raw<MapState | null>(null);
  #points = $state.raw<MapPointSet | null>(null);
  #layers = $state.raw<PointLayers | null>(null);
  #error = $state<string | null>(null);
  #open = $state(false);
  colourBy = $state<ColourBy>('label');
  readonly #studio: Connection;
  #request = 0;
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
    return this.#error;
  }
  get open(): boolean {
    return this.#open;
  }

  async show(): Promise<void> {
    this.#open = true;
    try {
      this.#take(await this.#studio.api.map.state(), true);
    } catch (err) {
      this.#error = errorMessage(err);
    }
  }

  hide(): void {
    this.#open = false;
  }

  compute(): void {
    this.#studio.api.map.compute().catch((err: unknown) => (this.#error = errorMessage(err)));
  }

  cancel(): void {
    this.#studio.api.map.cancel().catch((err: unknown) => (this.#error = errorMessage(err)));
  }

  clear(): void {
    this.#request++;
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
    const request = ++this.#request;
    try {
      const pages = [];
      let offset = 0;
      for (;;) {
        const page = await this.#studio.api.map.points({ version, offset });
        if (request !== this.#request) return;
        pages.push(page);
        offset = page.offset + atob(page.ids).length / 4;
        if (offset >= page.total || page.total === 0) break;
      }
      this.#points = decodePoints(pages);
      this.#error = null;
      await this.#loadLayers();
    } catch (err) {
      if (request === this.#request) this.#error = errorMessage(err);
    }
  }

  async #loadLayers(): Promise<void> {
    const points = this.#points;
    if (!points) return;
    const request = this.#request;
    try {
      const pages: MapLayers[] = [];
      for (let offset = 0; offset < points.count;) {
        const page = await this.#studio.api.map.layers({ version: points.version, offset });
        if (request !== this.#request) return;
        pages.push(page);
        offset += Math.min(50_000, points.count - offset);
      }
      this.#layers = decodeLayers(pages, points.count);
    } catch (err) {
      if (request === this.#request) this.#error = errorMessage(err);
    }
  }
}
