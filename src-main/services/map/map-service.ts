// The embedding map of one open project: the default backbone's pooled features (the ones
// the assistant reads), projected to 2D (model/project.ts) in the background with progress
// and cancel, cached on disk per backbone and feature-cache tag, and recomputed when images
// are added or removed once the person has asked for a map. Points and their colouring
// fields go out in pages of base64 typed arrays.
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { ParsedInput, Slice } from '../../../src-shared/contract';
import {
  MAP_PAGE_MAX,
  SPLIT_CODES,
  type MapLayers,
  type MapPoints,
  type MapStage,
  type MapState,
} from '../../../src-shared/map';
import { StudioError } from '../../../src-shared/errors';
import { plural } from '../../../src-shared/plural';
import { FeatureCache } from '../../../src-node-shared/data/feature-cache';
import type { BackendName } from '../../../src-shared/engine-protocol';
import { assistRows } from '../../store/repos/assist';
import { mapImageRows } from '../../store/repos/map';
import { FeatureStore } from '../assist/feature-store';
import { FitThread } from '../assist/fit-thread';
import type { Project } from '../project/project';
import { readMap, writeMap, type StoredMap } from './map-file';
import { projectRows, type ProjectOptions } from './model/project';

export interface MapDeps {
  emit: (s: MapState) => void;
  defaultBackbone: () => Promise<{ id: string; inputSize: number }>;
  modelCacheDir: string;
  clock: () => number;
  /** The assistant's latest suggestion per image, if it has trained. */
  suggestions: () => Promise<Map<number, { classId: number; probability: number }>>;
  /** Per image in a near-duplicate cluster: 1, or 2 when the cluster spans splits; null until the scan is done. */
  clusters: () => Promise<Map<number, 1 | 2> | null>;
}

export interface MapOptions {
  backboneId?: string;
  inputSize?: number;
  backend?: BackendName;
  projection?: Omit<ProjectOptions, 'signal' | 'onProgress'>;
}

const STAGE_WORDS: Record<MapStage, string> = {
  features: 'Computing features',
  pca: 'Reducing the features (PCA)',
  neighbours: 'Finding neighbours',
  layout: 'Laying out the map (UMAP)',
  placing: 'Placing the images outside the sample',
};

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

export class MapService implements Slice<'map'> {
  #state: MapState = {
    status: 'none',
    message: 'No map yet. Compute one to see every image placed by its features.',
    progress: null,
    backboneId: null,
    inputSize: null,
    count: 0,
    fitted: 0,
    version: 0,
    stale: false,
    computedAt: null,
    ms: null,
  };
  #map: StoredMap | null = null;
  #job: { ctrl: AbortController; done: Promise<void> } | null = null;
  #loaded: Promise<void> | null = null;
  /**
   * Standardising and reducing every image's features is one pass over all of them (about
   * 10 s at 200,000 x 1,280): a thread of its own keeps the main process answering meanwhile.
   */
  readonly #reducer = new FitThread();

  constructor(
    private readonly project: Project,
    private readonly deps: MapDeps,
    private readonly opts: MapOptions = {},
  ) {}

  get #dir(): string {
    return join(this.project.dir, 'cache', 'maps');
  }

  async #backbone(): Promise<{ id: string; inputSize: number }> {
    const fallback = this.opts.backboneId ? null : await this.deps.defaultBackbone();
    return { id: this.opts.backboneId ?? fallback!.id, inputSize: this.opts.inputSize ?? fallback?.inputSize ?? 224 };
  }

  #imagesTag(): string {
    const hash = createHash('sha256');
    for (const r of mapImageRows(this.project.db)) hash.update(`${r.id}:${r.hash}\n`);
    return hash.digest('hex');
  }

  #set(change: Partial<MapState>): void {
    this.#state = { ...this.#state, ...change };
    this.deps.emit(this.#state);
  }

  /** Reads the stored map for the default backbone once, on first ask. */
  async #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const { id, inputSize } = await this.#backbone();
      const stored = readMap(this.#dir, id, inputSize);
      if (stored) this.#show(stored, stored.header.imagesTag !== this.#imagesTag());
    })();
    return this.#loaded;
  }

  #show(map: StoredMap, stale: boolean): void {
    this.#map = map;
    const { header } = map;
    const placed = header.count - header.fitted;
    const how =
      placed > 0
        ? `UMAP laid out a sample of ${header.fitted}; the other ${placed} are placed by their nearest sample images.`
        : 'UMAP laid out every image.';
    this.#set({
      status: 'ready',
      message: `${plural(header.count, 'image')} on the map. ${how}${stale ? ' Images changed since: recompute to include them.' : ''}`,
      progress: null,
      backboneId: header.backboneId,
      inputSize: header.inputSize,
      count: header.count,
      fitted: header.fitted,
      version: this.#state.version + 1,
      stale,
      computedAt: header.computedAt,
      ms: header.ms,
    });
  }

  async state(): Promise<MapState> {
    await this.#load();
    return this.#state;
  }

  /** Starts computing (cancelling one under way); progress arrives as events. */
  async compute(): Promise<MapState> {
    await this.#load();
    this.#job?.ctrl.abort(new Error('superseded'));
    const ctrl = new AbortController();
    const before = this.#job?.done ?? Promise.resolve();
    const done = before
      .then(() => this.#compute(ctrl.signal))
      .catch((err: unknown) => this.#failed(err, ctrl.signal))
      .finally(() => this.#job?.ctrl === ctrl && (this.#job = null));
    this.#job = { ctrl, done };
    return this.#state;
  }

  cancel(): MapState {
    this.#job?.ctrl.abort(new Error('cancelled'));
    return this.#state;
  }

  /** Images were added or removed: a map the person has seen is recomputed. */
  imagesChanged(): void {
    if (this.#map || this.#job) void this.compute();
  }

  async settled(): Promise<MapState> {
    while (this.#job) await this.#job.done;
    return this.#state;
  }

  close(): void {
    this.cancel();
    this.#reducer.close();
  }

  #failed(err: unknown, signal: AbortSignal): void {
    if (signal.aborted) {
      if (this.#map) return this.#show(this.#map, this.#state.stale);
      return this.#set({ status: 'none', progress: null, message: 'Stopped. Compute the map again when you want it.' });
    }
    this.#set({
      status: 'failed',
      progress: null,
      message: `The map could not be computed: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  #progress(stage: MapStage, done: number, total: number): void {
    const pct = total > 0 ? ` ${Math.floor((100 * done) / total)} %` : '';
    this.#set({ status: 'computing', progress: { stage, done, total }, message: `${STAGE_WORDS[stage]}:${pct}` });
  }

  async #compute(signal: AbortSignal): Promise<void> {
    const t0 = this.deps.clock();
    const { id, inputSize } = await this.#backbone();
    const imagesTag = this.#imagesTag();
    this.#set({ status: 'computing', progress: null, message: 'Reading the features.', backboneId: id, inputSize });
    const featureCache = join(this.project.dir, 'cache', 'features');
    const store = new FeatureStore({
      backboneId: id,
      inputSize,
      featureCache,
      modelCache: this.deps.modelCacheDir,
      backend: this.opts.backend,
      reduce: (raw, blocks, r, sig) => this.#reducer.reduce(raw, blocks, r, sig),
    });
    const rows = assistRows(this.project.db);
    if (rows.length < 3) throw new StudioError('invalid-input', 'The map needs at least 3 images with files on disk.');
    const features = await store.load(rows, (e) => this.#progress('features', e.done, e.total), signal);
    const featureTag = basename(new FeatureCache(featureCache, store.cacheKey!).dir);
    const out = await projectRows(features.x, features.d, {
      ...this.opts.projection,
      signal,
      onProgress: (stage, done, total) => this.#progress(stage, done, total),
    });
    const map: StoredMap = {
      header: {
        backboneId: id,
        inputSize,
        featureTag,
        imagesTag,
        count: features.imageIds.length,
        fitted: out.fitted,
        computedAt: this.deps.clock(),
        ms: this.deps.clock() - t0,
      },
      ids: features.imageIds,
      xy: out.xy,
    };
    writeMap(this.#dir, map);
    this.#show(map, imagesTag !== this.#imagesTag());
  }

  #page(version: number, offset: number, limit: number): { map: StoredMap; from: number; to: number } {
    const map = this.#map;
    if (!map || version !== this.#state.version)
      throw new StudioError(
        'invalid-input',
        `Map version ${version} is not the current one (${this.#state.version}); ask for its state again.`,
      );
    const from = Math.min(offset, map.header.count);
    return { map, from, to: Math.min(map.header.count, from + Math.min(limit, MAP_PAGE_MAX)) };
  }

  /** A page of the current map's points: image ids and x, y. */
  points({ version, offset, limit }: ParsedInput<'map', 'points'>): MapPoints {
    const { map, from, to } = this.#page(version, offset, limit);
    return {
      version,
      total: map.header.count,
      offset: from,
      ids: b64(map.ids.subarray(from, to)),
      xy: b64(map.xy.subarray(from * 2, to * 2)),
    };
  }

  /** The same page's colouring fields: label, split, exclusion, suggestion and confidence, cluster status. */
  async layers({ version, offset, limit }: ParsedInput<'map', 'layers'>): Promise<MapLayers> {
    const { map, from, to } = this.#page(version, offset, limit);
    const byId = new Map(mapImageRows(this.project.db).map((r) => [r.id, r]));
    const [suggested, clusters] = await Promise.all([this.deps.suggestions(), this.deps.clusters()]);
    const n = to - from;
    const classId = new Int32Array(n).fill(-1);
    const split = new Uint8Array(n);
    const excluded = new Uint8Array(n);
    const suggestion = new Int32Array(n).fill(-1);
    const confidence = new Float32Array(n).fill(-1);
    const cluster = clusters ? new Uint8Array(n) : null;
    for (let i = 0; i < n; i++) {
      const id = map.ids[from + i]!;
      const row = byId.get(id);
      if (row) {
        classId[i] = row.classId ?? -1;
        split[i] = SPLIT_CODES.indexOf(row.split);
        excluded[i] = row.excluded;
      }
      const s = suggested.get(id);
      if (s) {
        suggestion[i] = s.classId;
        confidence[i] = s.probability;
      }
      if (cluster) cluster[i] = clusters!.get(id) ?? 0;
    }
    return {
      version,
      offset: from,
      classId: b64(classId),
      split: b64(split),
      excluded: b64(excluded),
      suggestion: b64(suggestion),
      confidence: b64(confidence),
      cluster: cluster ? b64(cluster) : null,
    };
  }
}
