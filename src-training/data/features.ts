// Phase 1 and phase 2 inputs: the frozen part of the backbone runs once per image and
// per augmented view, in inference mode, and what it produces is cached on disk. Only
// training images get augmented views; validation and test images always use view 0,
// the image as it is (seed 000 augmented its test set).
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../../src-shared/schemas';
import type { Pooling } from '../../src-shared/head-spec';
import { augmentBatch, augmentFingerprint, viewParams } from '../../src-node-shared/data/augment';
import type { AugmentConfig } from '../../src-shared/engine-config';
import type { Backbone } from '../backbones/load';
import type { SplitBackbone } from '../backbones/split';
import { BlockRows } from './batches';
import type { Rows } from './batches';
import { FeatureCache } from '../../src-node-shared/data/feature-cache';
import { loadImage } from '../../src-node-shared/data/images';
import type { ImageItem } from '../../src-node-shared/data/images';
import { preprocess } from '../../src-node-shared/data/preprocess';
import type { Preprocessing } from '../../src-node-shared/data/preprocess';
import { openFrozen } from '../frozen';
import type { FrozenOptions, FrozenRunner } from '../frozen';
import { yieldOrStop } from '../../src-node-shared/yield';
import type { InferenceInfo } from '../../src-shared/engine-protocol';

export interface Extractor {
  /** Cache key part: which layer the values come from. */
  point: string;
  /** Shape of one example's values. */
  shape: number[];
  /** The frozen network: preprocessed input -> [n, ...shape] (pooled for phase 1). */
  model: tf.LayersModel;
  preprocessing: Preprocessing;
  /** ONNX Runtime or tfjs, opened on first use and shared by every split. */
  runner?: Promise<FrozenRunner>;
  frozen?: FrozenOptions;
  /** A readout's values per layer, in order (they sum to shape[0]); absent for one pooled layer. */
  blocks?: number[];
}

function runnerOf(ex: Extractor): Promise<FrozenRunner> {
  ex.runner ??= openFrozen(ex.model, ex.frozen);
  return ex.runner;
}

/** What ran the extractor, once it has run; null when every value came from the cache. */
export async function extractorRuntime(ex: Extractor): Promise<InferenceInfo | null> {
  return ex.runner ? (await ex.runner).info : null;
}

/** RGB 0..255 [n, s, s, 3] -> flat [n, ...shape], in inference mode. */
export async function runExtractor(ex: Extractor, pixels: tf.Tensor4D): Promise<Float32Array> {
  const runner = await runnerOf(ex);
  const x = preprocess(pixels, ex.preprocessing) as tf.Tensor4D;
  try {
    return await runner.run(x);
  } finally {
    x.dispose();
  }
}

export function pool(map: tf.Tensor, pooling: Pooling): tf.Tensor {
  if (pooling === 'avg') return tf.mean(map, [1, 2]);
  if (pooling === 'max') return tf.max(map, [1, 2]);
  return tf.reshape(map, [map.shape[0]!, -1]);
}

function poolLayer(pooling: Pooling): tf.layers.Layer {
  if (pooling === 'avg') return tf.layers.globalAveragePooling2d({ name: 'frozen_pool_avg' });
  if (pooling === 'max') return tf.layers.globalMaxPooling2d({ name: 'frozen_pool_max' });
  return tf.layers.flatten({ name: 'frozen_flatten' });
}

/** Phase 1: the whole backbone, then the head's (parameter-free) pooling, as one frozen network. */
export function pooledExtractor(backbone: Backbone, pooling: Pooling, frozen?: FrozenOptions): Extractor {
  const [h, w, c] = backbone.featureShape;
  const pooled = poolLayer(pooling).apply(backbone.features.outputs[0]!) as tf.SymbolicTensor;
  return {
    point: pooling === 'flatten' ? 'flatten' : `pool-${pooling}`,
    shape: [pooling === 'flatten' ? h * w * c : c],
    model: tf.model({ inputs: backbone.features.inputs, outputs: pooled, name: `${backbone.entry.id}_pooled` }),
    preprocessing: backbone.entry.preprocessing,
    frozen,
  };
}

/**
 * The labeling assistant's values (BackboneEntry.readout): each listed layer averaged over its
 * map, or over each quadrant, side by side in one vector. A backbone without a readout gives
 * the feature layer averaged, the values phase 1's cache already holds.
 */
export function readoutExtractor(backbone: Backbone, frozen?: FrozenOptions): Extractor {
  const layers = backbone.entry.readout;
  if (!layers) return pooledExtractor(backbone, 'avg', frozen);
  const parts = layers.map(({ layer, grid }, i) => {
    const map = backbone.features.getLayer(layer).output as tf.SymbolicTensor;
    const [, h, w, c] = map.shape as number[];
    if (grid === 1 || h! < 2 || w! < 2) {
      const avg = tf.layers.globalAveragePooling2d({ name: `readout_${i}_avg` }).apply(map);
      return { out: avg as tf.SymbolicTensor, values: c! };
    }
    // Two windows a side, each ceil(side / 2) long: the halves, sharing the middle row of an odd side.
    const quadrants = tf.layers
      .averagePooling2d({
        poolSize: [Math.ceil(h! / 2), Math.ceil(w! / 2)],
        strides: [Math.floor(h! / 2), Math.floor(w! / 2)],
        padding: 'valid',
        name: `readout_${i}_quadrants`,
      })
      .apply(map);
    const flat = tf.layers.flatten({ name: `readout_${i}_flat` }).apply(quadrants);
    return { out: flat as tf.SymbolicTensor, values: 4 * c! };
  });
  const out =
    parts.length === 1
      ? parts[0]!.out
      : (tf.layers.concatenate({ name: 'readout' }).apply(parts.map((p) => p.out)) as tf.SymbolicTensor);
  const blocks = parts.map((p) => p.values);
  return {
    point: `readout-${layers.map((l) => `${l.layer}.${l.grid}`).join('+')}`,
    shape: [blocks.reduce((a, b) => a + b, 0)],
    model: tf.model({ inputs: backbone.features.inputs, outputs: out, name: `${backbone.entry.id}_readout` }),
    preprocessing: backbone.entry.preprocessing,
    frozen,
    blocks,
  };
}

/** Phase 2: the frozen prefix only, up to the split point. */
export function splitExtractor(backbone: Backbone, split: SplitBackbone, frozen?: FrozenOptions): Extractor {
  return {
    point: `split-${split.splitLayer}`,
    shape: split.splitShape,
    model: split.prefix,
    preprocessing: backbone.entry.preprocessing,
    frozen,
  };
}

export interface ViewSet {
  /** The view indices present: [0] unless training with augmentation. */
  views: number[];
  /** rows.read(i, k): item i, view views[k]; held in memory or read from the cache on demand. */
  rows: Rows;
}

export interface FeatureProgress {
  split: Split;
  done: number;
  total: number;
  fromCache: number;
}

export interface FeatureRequest {
  items: ImageItem[];
  split: Split;
  backbone: Backbone;
  extractor: Extractor;
  /** Caller's cache folder, e.g. <project>/cache/features. */
  cacheDir: string;
  /** Training only: the run's augmentation, `views` augmented views per image; one is drawn per epoch. */
  augment?: AugmentConfig;
  /** The run's seed: with the image and view, it draws each view's transforms. */
  seed?: number;
  batchSize?: number;
  onProgress?: (p: FeatureProgress) => void;
  signal?: AbortSignal;
  /**
   * Read the whole set into memory once built (the default), or leave it in the cache
   * and read each batch from there: for sets larger than memory should hold.
   */
  hold?: boolean;
}

/** Which views a split gets. The only place augmentation is switched on. */
export function viewsFor(split: Split, augment: FeatureRequest['augment']): number[] {
  if (split !== 'train' || !augment || augment.views < 1) return [0];
  return Array.from({ length: augment.views }, (_, k) => k + 1);
}

interface Job {
  item: number;
  slot: number;
  view: number;
}

function openCache(req: FeatureRequest, length: number): FeatureCache {
  return new FeatureCache(req.cacheDir, {
    backboneId: req.backbone.entry.id,
    backboneHash: req.backbone.hash,
    inputSize: req.backbone.inputSize,
    point: req.extractor.point,
    length,
  });
}

/** Between chunks of file-system work over the whole set: cancel is heard, and events go out. */
const CHUNK = 2048;

/** One byte per (item, view): 1 where the cache lacks it. A byte, not a job object, per image of 200,000. */
async function missingMask(
  req: FeatureRequest,
  cache: FeatureCache,
  views: number[],
  variant: string,
): Promise<{ mask: Uint8Array; count: number }> {
  const mask = new Uint8Array(req.items.length * views.length);
  let count = 0;
  for (let i = 0; i < req.items.length; i++) {
    if (i % CHUNK === CHUNK - 1) await yieldOrStop(req.signal);
    views.forEach((view, slot) => {
      if (cache.has(req.items[i]!.hash, view, variant)) return;
      mask[i * views.length + slot] = 1;
      count++;
    });
  }
  return { mask, count };
}

/** The missing (item, view) pairs, `size` at a time, in order. */
function* jobBatches(mask: Uint8Array, views: number[], size: number): Generator<Job[]> {
  let batch: Job[] = [];
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k]) continue;
    const slot = k % views.length;
    batch.push({ item: (k - slot) / views.length, slot, view: views[slot]! });
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Computes and stores what the cache lacks, then reads the whole set back as one block,
 * or, with `hold: false`, hands out rows that read the cache a batch at a time.
 * While it builds, memory holds two batches (the one decoding, the one in the network):
 * nothing per image outlives its batch, so a build over 200,000 images stays flat and a
 * killed one leaves only whole files behind (written aside, then renamed).
 */
export async function computeFeatures(req: FeatureRequest): Promise<ViewSet> {
  const views = viewsFor(req.split, req.augment);
  const length = req.extractor.shape.reduce((a, b) => a * b, 1);
  const cache = openCache(req, length);
  const variant = req.augment ? augmentFingerprint(req.augment, req.seed ?? 0) : '';
  const { mask, count } = await missingMask(req, cache, views, variant);
  const total = req.items.length * views.length;
  const fromCache = total - count;
  req.onProgress?.({ split: req.split, done: fromCache, total, fromCache });
  let done = fromCache;
  await buildMissing(req, cache, jobBatches(mask, views, req.batchSize ?? 16), variant, length, (n) => {
    done += n;
    req.onProgress?.({ split: req.split, done, total, fromCache });
  });
  const rows =
    req.hold === false
      ? new CacheRows(
          cache,
          req.extractor.shape,
          req.items.map((i) => i.hash),
          views,
          variant,
        )
      : await readAll(req, cache, views, variant, length);
  return { views, rows };
}

/** The next batch decodes (sharp, on libuv's threads) while this one runs through the network. */
async function buildMissing(
  req: FeatureRequest,
  cache: FeatureCache,
  batches: Generator<Job[]>,
  variant: string,
  length: number,
  onBatch: (n: number) => void,
): Promise<void> {
  let next = batches.next();
  let decoding = next.done ? null : decodeBatch(req, next.value);
  while (!next.done) {
    const batch = next.value;
    const imgs = await decoding!;
    next = batches.next();
    decoding = next.done ? null : decodeBatch(req, next.value);
    if (req.signal?.aborted) {
      imgs.forEach((t) => t.dispose());
      await decoding?.then((later) => later.forEach((t) => t.dispose()));
      throw req.signal.reason ?? new Error('feature extraction cancelled');
    }
    const out = await runBatch(req, batch, imgs);
    batch.forEach((job, k) =>
      cache.put(req.items[job.item]!.hash, job.view, out.subarray(k * length, (k + 1) * length), variant),
    );
    onBatch(batch.length);
  }
}

/** Every (item, view) from the cache into one Float32Array: the set is held once, with no object per value. */
async function readAll(
  req: FeatureRequest,
  cache: FeatureCache,
  views: number[],
  variant: string,
  length: number,
): Promise<BlockRows> {
  const block = new Float32Array(req.items.length * views.length * length);
  for (let i = 0; i < req.items.length; i++) {
    if (i % CHUNK === CHUNK - 1) await yieldOrStop(req.signal);
    views.forEach((view, slot) =>
      cache.readInto(req.items[i]!.hash, view, variant, block, (i * views.length + slot) * length),
    );
  }
  return new BlockRows(req.extractor.shape, views.length, block);
}

/** Rows left in the cache: each read opens one small file, so memory holds a batch, not the set. */
class CacheRows implements Rows {
  readonly size: number;
  readonly views: number;

  constructor(
    private readonly cache: FeatureCache,
    readonly shape: number[],
    private readonly hashes: string[],
    private readonly viewIds: number[],
    private readonly variant: string,
  ) {
    this.size = hashes.length;
    this.views = viewIds.length;
  }

  read(i: number, slot: number, target: Float32Array, offset: number): void {
    this.cache.readInto(this.hashes[i]!, this.viewIds[slot]!, this.variant, target, offset);
  }
}

function decodeBatch(req: FeatureRequest, batch: Job[]): Promise<tf.Tensor3D[]> {
  return Promise.all(batch.map((j) => loadImage(req.items[j.item]!.source, req.backbone.inputSize)));
}

async function runBatch(req: FeatureRequest, batch: Job[], imgs: tf.Tensor3D[]): Promise<Float32Array> {
  const x = tf.tidy(() => {
    const stacked = tf.stack(imgs) as tf.Tensor4D;
    const aug = req.augment;
    if (!aug || !batch.some((j) => j.view > 0)) return stacked;
    return augmentBatch(
      stacked,
      batch.map((j) => viewParams(aug, req.items[j.item]!.hash, j.view, req.seed ?? 0)),
    );
  });
  imgs.forEach((t) => t.dispose());
  try {
    return await runExtractor(req.extractor, x);
  } finally {
    x.dispose();
  }
}
