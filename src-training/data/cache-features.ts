// The labeling assistant's job in the training process: the pooled (global average)
// features of the given images at the backbone's feature layer, into the project's feature
// cache, with the same progress events a run's cache build sends. The assistant reads the
// values from the cache itself, so nothing but the cache's key travels back.
import type { FromEngine, ToEngine } from '../../src-shared/engine-protocol';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import { loadBackbone } from '../backbones/load';
import { computeFeatures, pooledExtractor } from './features';
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
  const extractor = pooledExtractor(backbone, 'avg');
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
  const key = {
    backboneId: backbone.entry.id,
    backboneHash: backbone.hash,
    inputSize: backbone.inputSize,
    point: extractor.point,
    length: extractor.shape[0]!,
  };
  return { type: 'featuresCached', key };
}
