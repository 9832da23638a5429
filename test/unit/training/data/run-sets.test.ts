// A run's augmentation settings reach the feature cache whole: the UI sends `views` with the
// transforms, and that must not be refused as an unknown transform. And how much of a
// run's cached values memory may hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunConfig } from '../../../../src-shared/engine-config';
import { totalmem } from 'node:os';
import { augmentSettings, featureMemoryBudget } from '../../../../src-training/data/run-sets';

const base = {
  backboneId: 'nsfwjs_mobilenet_v2',
  phase1: { epochs: 1, optimizer: { kind: 'adam', lr: 0.001 } },
} as const;

test('augmentation with views parses into a transform spec and a view count', () => {
  const cfg = RunConfig.parse({ ...base, augment: { views: 3, flip: false, rotationDeg: 5 }, seed: 7 });
  const aug = augmentSettings(cfg);
  assert.ok(aug);
  assert.equal(aug.views, 3);
  assert.equal(aug.seed, 7);
  assert.deepEqual(aug.spec, { flip: false, rotationDeg: 5, zoom: 0.15, brightness: 0.1, contrast: 0.1 });
});

test('no augmentation means no augmented views', () => {
  assert.equal(augmentSettings(RunConfig.parse(base)), undefined);
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
