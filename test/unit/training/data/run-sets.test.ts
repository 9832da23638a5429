// A run's augmentation settings reach the feature cache whole, `views` with the transforms,
// and the cache keys stay those of the transforms alone. And how much of a run's cached
// values memory may hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunConfig } from '../../../../src-shared/engine-config';
import { totalmem } from 'node:os';
import { featureMemoryBudget } from '../../../../src-training/data/run-sets';
import { augmentFingerprint } from '../../../../src-node-shared/data/augment';

const base = {
  backboneId: 'nsfwjs_mobilenet_v2',
  phase1: { epochs: 1, optimizer: { kind: 'adam', lr: 0.001 } },
} as const;

test("a run's augmentation keys its cached views by its transforms and seed, not by how many views it keeps", () => {
  const cfg = RunConfig.parse({ ...base, augment: { views: 3, flip: false, rotationDeg: 5 }, seed: 7 });
  const { views: _views, ...transforms } = cfg.augment!;
  assert.equal(augmentFingerprint(cfg.augment!, 7), augmentFingerprint(transforms, 7), 'the key of the run before');
  assert.equal(augmentFingerprint({ ...cfg.augment!, views: 8 }, 7), augmentFingerprint(cfg.augment!, 7));
  assert.notEqual(augmentFingerprint({ ...cfg.augment!, rotationDeg: 6 }, 7), augmentFingerprint(cfg.augment!, 7));
  assert.notEqual(augmentFingerprint(cfg.augment!, 8), augmentFingerprint(cfg.augment!, 7));
});

test('the memory budget for cached values: STUDIO_FEATURE_MEMORY_MB, else a quarter of memory up to 4 GiB', () => {
  assert.equal(featureMemoryBudget({ STUDIO_FEATURE_MEMORY_MB: '512' }), 512 * 2 ** 20);
  assert.equal(featureMemoryBudget({ STUDIO_FEATURE_MEMORY_MB: '0' }), 0, '0 streams every set');
  assert.equal(featureMemoryBudget({}), Math.min(totalmem() / 4, 4 * 2 ** 30));
  assert.equal(
    featureMemoryBudget({ STUDIO_FEATURE_MEMORY_MB: 'lots' }),
    featureMemoryBudget({}),
    'a value that is not a number is ignored',
  );
});
