import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { selectBackend } from '../../../../src-node-shared/backend';
import { findBackbone } from '../../../../src-node-shared/backbones/registry';
import { loadBackbone } from '../../../../src-training/backbones/load';
import type { Backbone } from '../../../../src-training/backbones/load';
import { computeFeatures, pooledExtractor } from '../../../../src-training/data/features';
import type { FeatureRequest } from '../../../../src-training/data/features';
import { rowOf } from '../../../../src-training/data/batches';
import { augmentFingerprint } from '../../../../src-node-shared/data/augment';
import { AugmentConfig } from '../../../../src-shared/engine-config';
import { FeatureCache } from '../../../../src-node-shared/data/feature-cache';
import type { ImageItem } from '../../../../src-node-shared/data/images';

let backbone: Backbone;
let items: ImageItem[];
const dir = mkdtempSync(join(tmpdir(), 'fs-features-'));

// Small generated images: a gradient with a bright square at a per-image position.
async function writeImage(path: string, k: number): Promise<void> {
  const w = 40;
  const px = Buffer.alloc(w * w * 3);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const inSquare = x >= k * 5 && x < k * 5 + 12 && y >= 8 && y < 20;
      px.set(inSquare ? [250, 240, 20] : [x * 6, y * 6, 80], (y * w + x) * 3);
    }
  }
  await sharp(px, { raw: { width: w, height: w, channels: 3 } })
    .png()
    .toFile(path);
}

before(async () => {
  await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
  backbone = await loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: 96 });
  items = [];
  for (let k = 0; k < 4; k++) {
    const path = join(dir, `img${k}.png`);
    await writeImage(path, k);
    items.push({ hash: `hash${k}abcdef`, source: path });
  }
});

function request(over: Partial<FeatureRequest>): FeatureRequest {
  return {
    items,
    split: 'train',
    backbone,
    extractor: pooledExtractor(backbone, 'avg'),
    cacheDir: join(dir, 'cache'),
    seed: 7,
    ...over,
  };
}

const augment = AugmentConfig.parse({ rotationDeg: 30, zoom: 0.3, views: 2 });

test('validation and test images are never augmented', async () => {
  const clean = await computeFeatures(request({ split: 'train' }));
  for (const split of ['val', 'test'] as const) {
    const got = await computeFeatures(request({ split, augment }));
    assert.deepEqual(got.views, [0], `${split} must only use view 0`);
    for (let i = 0; i < items.length; i++) assert.deepEqual(rowOf(got.rows, i), rowOf(clean.rows, i));
  }
  const train = await computeFeatures(request({ split: 'train', augment }));
  assert.deepEqual(train.views, [1, 2]);
  for (let i = 0; i < items.length; i++) {
    assert.notDeepEqual(rowOf(train.rows, i, 0), rowOf(clean.rows, i), 'an augmented view differs from the image');
    assert.notDeepEqual(rowOf(train.rows, i, 0), rowOf(train.rows, i, 1), 'two views differ');
  }
});

test('features are cached per image, view and settings, and reused', async () => {
  const seen: number[] = [];
  const first = await computeFeatures(request({ split: 'train', augment, onProgress: (p) => seen.push(p.fromCache) }));
  assert.equal(seen.at(-1), items.length * 2, 'the second request reads every view from the cache');
  const changed = { ...augment, zoom: 0.1 };
  const progress: number[] = [];
  const other = await computeFeatures(
    request({ split: 'train', augment: changed, onProgress: (p) => progress.push(p.fromCache) }),
  );
  assert.equal(progress[0], 0, 'new augmentation settings do not reuse old views');
  assert.notDeepEqual(rowOf(other.rows, 0), rowOf(first.rows, 0));
  const cacheDirs = readdirSync(join(dir, 'cache'));
  assert.equal(cacheDirs.length, 1);
  assert.match(cacheDirs[0]!, /^nsfwjs_mobilenet_v2-96-pool-avg-/);
  assert.equal(rowOf(first.rows, 0).length, 1280);
});

test('feature extraction leaves no tensors behind', async () => {
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  const before = tf.memory().numTensors;
  await computeFeatures(request({ split: 'train', augment }));
  assert.equal(tf.memory().numTensors, before);
});

test('with hold: false the values stay in the cache and each read goes to it', async () => {
  const held = await computeFeatures(request({ split: 'train', augment }));
  const streamed = await computeFeatures(request({ split: 'train', augment, hold: false }));
  assert.equal(streamed.rows.size, items.length);
  assert.equal(streamed.rows.views, 2);
  for (let i = 0; i < items.length; i++)
    for (const slot of [0, 1]) assert.deepEqual(rowOf(streamed.rows, i, slot), rowOf(held.rows, i, slot));
  // Change one stored value behind their backs: only the streamed rows see it.
  const cache = new FeatureCache(join(dir, 'cache'), {
    backboneId: backbone.entry.id,
    backboneHash: backbone.hash,
    inputSize: 96,
    point: 'pool-avg',
    length: 1280,
  });
  const marked = new Float32Array(1280).fill(42);
  cache.put(items[1]!.hash, 2, marked, augmentFingerprint(augment, 7));
  assert.deepEqual(rowOf(streamed.rows, 1, 1), marked);
  assert.notDeepEqual(rowOf(held.rows, 1, 1), marked);
  // A value deleted under a streamed set is an error that says what to do, not zeros.
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  assert.throws(() => rowOf(streamed.rows, 0, 0), /feature cache: .*-v1-.*\.f32 is gone .*start the run again/);
});
