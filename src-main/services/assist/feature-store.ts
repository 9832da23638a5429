// The assistant's features, held in memory as one standardised block: the backbone's readout
// (BackboneEntry.readout: for MobileNetV2 three layers, 2,304 values), read from the project's
// feature cache and computed first in a training process where the cache lacks some (the same
// progress events a run's phase 1 sends), then reduced to their first 256 principal
// components. Held until the set of images changes, so a refit after a label change reads
// nothing from disk and works on a ninth of the readout's values.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { BackendName, FromEngine } from '../../../src-shared/engine-protocol';
import { FeatureCache, type CacheKey } from '../../../src-node-shared/data/feature-cache';
import { runEngineTask } from '../../training-host/host';
import { yieldOrStop } from '../../../src-node-shared/yield';
import type { AssistRow } from '../../store/repos/assist';
import { REDUCED_DIMS, standardizedReduced } from './model/reduce';

export interface HeldFeatures {
  /** Which images the rows are, in order: those with a file on disk. */
  imageIds: Int32Array;
  hashes: string[];
  rowOf: Map<number, number>;
  x: Float32Array;
  d: number;
  /** Values per image in the cache, before the reduction. */
  sourceD: number;
}

export interface FeatureSource {
  backboneId: string;
  inputSize: number;
  featureCache: string;
  modelCache: string;
  backend?: BackendName;
  /** Principal components kept (REDUCED_DIMS); null keeps every standardised value. */
  reduceTo?: number | null;
  /** Where the standardising and the PCA run (the assistant: its fitting thread); here by default. */
  reduce?: Reducer;
}

/** Standardises raw features (rows of `blocks` values, one block per readout layer) and reduces them to r principal components (null: none). */
export type Reducer = (
  raw: Float32Array,
  blocks: readonly number[],
  r: number | null,
  signal?: AbortSignal,
) => Promise<{ x: Float32Array; d: number }>;

const reduceHere: Reducer = standardizedReduced;

export type BuildEvent = Extract<FromEngine, { type: 'features' }>;

export class FeatureStore {
  #key: CacheKey | null = null;
  /** Values per readout layer, from the training process's answer (one block: a single pooled layer). */
  #blocks: number[] = [];
  #keyFor = '';
  #held: { tag: string; features: HeldFeatures } | null = null;

  constructor(private readonly source: FeatureSource) {}

  get backboneId(): string {
    return this.source.backboneId;
  }

  get inputSize(): number {
    return this.source.inputSize;
  }

  /** The feature cache's key once a load has found or built it (the map keys its projection by it). */
  get cacheKey(): CacheKey | null {
    return this.#key;
  }

  /** The features of `rows` that have a file; builds what the cache lacks, reporting through `onBuild`. */
  async load(rows: AssistRow[], onBuild: (e: BuildEvent) => void, signal?: AbortSignal): Promise<HeldFeatures> {
    const present = rows.filter((r) => r.path !== null && existsSync(r.path));
    const tag = createHash('sha256')
      .update(present.map((r) => `${r.id}:${r.hash}`).join('\n'))
      .digest('hex');
    if (this.#held?.tag === tag) return this.#held.features;
    const cache = await this.#cache(present, onBuild, signal);
    const d = this.#key!.length;
    const raw = new Float32Array(present.length * d);
    for (let i = 0; i < present.length; i++) {
      if (i % 2048 === 2047) await yieldOrStop(signal);
      cache.readInto(present[i]!.hash, 0, '', raw, i * d);
    }
    const imageIds = Int32Array.from(present, (r) => r.id);
    const r = this.source.reduceTo === undefined ? REDUCED_DIMS : this.source.reduceTo;
    const reduced = await (this.source.reduce ?? reduceHere)(raw, this.#blocks, r, signal);
    const features = {
      imageIds,
      hashes: present.map((r) => r.hash),
      rowOf: new Map(present.map((r, i) => [r.id, i])),
      ...reduced,
      sourceD: d,
    };
    this.#held = { tag, features };
    return features;
  }

  /** The cache, once every row is in it: the key is known after the first build, and a build runs only for what is missing. */
  async #cache(rows: AssistRow[], onBuild: (e: BuildEvent) => void, signal?: AbortSignal): Promise<FeatureCache> {
    const { featureCache, modelCache, backboneId, inputSize, backend } = this.source;
    const known =
      this.#key && this.#keyFor === `${backboneId}@${inputSize}` ? new FeatureCache(featureCache, this.#key) : null;
    if (known && rows.every((r) => known.has(r.hash, 0))) return known;
    const images = rows.map((r) => ({ hash: r.hash, path: r.path! }));
    const done = await runEngineTask(
      { type: 'cacheFeatures', backboneId, inputSize, images, dirs: { featureCache, modelCache }, backend },
      { signal, onEvent: (e) => e.type === 'features' && onBuild(e) },
    );
    if (done.type !== 'featuresCached')
      throw new Error(`training process answered ${done.type} to a feature cache build`);
    this.#key = done.key;
    this.#blocks = done.blocks ?? [done.key.length];
    this.#keyFor = `${backboneId}@${inputSize}`;
    return new FeatureCache(featureCache, done.key);
  }
}
