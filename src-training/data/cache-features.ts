// The labeling assistant's job in the training process: the backbone's readout of the given
// images (its listed layers pooled; for a backbone without one, the feature layer averaged)
// into the project's feature cache, with the same progress events a run's cache build sends.
// The assistant reads the values from the cache itself, so only the cache's key and the
// readout's layout travel back. Where the readout ends with the feature layer averaged, those
// values are also written where phase 1 looks for them, so a run on the same backbone does
// not run the network over the images a second time.
import type { FromEngine, ToEngine } from '../../src-shared/engine-protocol';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import { loadBackbone, type Backbone } from '../backbones/load';
import { FeatureCache, type CacheKey } from '../../src-node-shared/data/feature-cache';
import { computeFeatures, readoutExtractor, type Extractor } from './features';
import { featuresEvents } from './run-sets';

type CacheJob = Extract<ToEngine, { type: 'cacheFeatures' }>;

export async function cacheFeatures(
  job: CacheJob,
  emit: (e: FromEngine) => void,
  signal: AbortSignal,
): Promise<Extract<FromEngine, { type: 'featuresCached' }>> {
  const backbone = await loadBackbone(findBackbone(job.backboneId), {
    inputSize: job.inputSize,
    downloadCacheDir: job.dirs.modelCache,
    modelCacheDir: job.dirs.modelCache,
  });
  const extractor = readoutExtractor(backbone);
  await computeFeatures({
    items: job.images.map((i) => ({ hash: i.hash, source: i.path })),
    split: 'train',
    backbone,
    extractor,
    cacheDir: job.dirs.featureCache,
    hold: false,
    signal,
    onProgress: featuresEvents(1, { train: job.images.length, val: 0, test: 0 }, { emit }),
  });
  const key = keyOf(backbone, extractor);
  sharePooled(job, backbone, extractor, key);
  return { type: 'featuresCached', key, blocks: extractor.blocks };
}

function keyOf(backbone: Backbone, extractor: Extractor): CacheKey {
  return {
    backboneId: backbone.entry.id,
    backboneHash: backbone.hash,
    inputSize: backbone.inputSize,
    point: extractor.point,
    length: extractor.shape[0]!,
  };
}

/** The readout's last values, when they are the feature layer averaged, into phase 1's cache where it lacks them. */
function sharePooled(job: CacheJob, backbone: Backbone, readout: Extractor, key: CacheKey): void {
  const last = backbone.entry.readout?.at(-1);
  if (!readout.blocks || last?.layer !== backbone.entry.featureLayer || last.grid !== 1) return;
  const width = readout.blocks.at(-1)!;
  const from = new FeatureCache(job.dirs.featureCache, key);
  const to = new FeatureCache(job.dirs.featureCache, { ...key, point: 'pool-avg', length: width });
  for (const { hash } of job.images) {
    if (to.has(hash, 0)) continue;
    const values = from.get(hash, 0);
    if (values) to.put(hash, 0, values.subarray(values.length - width));
  }
}
