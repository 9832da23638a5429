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
import {
  computeFeatures,
  extractorRuntime,
  pooledExtractor,
  readoutExtractor,
  runExtractor,
} from '../../../../src-training/data/features';
import { loadImage } from '../../../../src-node-shared/data/images';
import { preprocess } from '../../../../src-node-shared/data/preprocess';
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

test("the assistant's readout is each listed layer pooled by quadrant or whole, side by side, as ONNX Runtime runs it", async () => {
  // nsfwjs' MobileNetV2 keeps Keras' layer names: at 96 px block_12_add is 6 x 6 x 96,
  // block_15_add 3 x 3 x 160 (odd: the quadrants share the middle row), out_relu 3 x 3 x 1280.
  const readout = backbone.entry.readout!;
  assert.deepEqual(
    readout.map((l) => `${l.layer}/${l.grid}`),
    ['block_12_add/2', 'block_15_add/2', 'out_relu/1'],
  );
  const extractor = readoutExtractor(backbone);
  assert.deepEqual(extractor.blocks, [4 * 96, 4 * 160, 1280]);
  assert.equal(extractor.shape[0], 4 * 96 + 4 * 160 + 1280);
  assert.match(extractor.point, /^readout-block_12_add\.2\+block_15_add\.2\+out_relu\.1$/);
  const pixels = tf.stack(await Promise.all(items.map((i) => loadImage(i.source as string, 96)))) as tf.Tensor4D;
  const got = await runExtractor(extractor, pixels);
  assert.equal((await extractorRuntime(extractor))?.runtime, 'onnxruntime-cpu');
  // By hand, in tfjs: the three maps, then the means of their quadrants (row-major, channels last) or of the whole.
  const maps = tf.model({
    inputs: backbone.features.inputs,
    outputs: readout.map((l) => backbone.features.getLayer(l.layer).output as tf.SymbolicTensor),
  });
  const want = tf.tidy(() => {
    const outs = maps.predict(preprocess(pixels, backbone.entry.preprocessing)) as tf.Tensor4D[];
    const parts = outs.map((m, j) => {
      if (readout[j]!.grid === 1) return tf.mean(m, [1, 2]);
      const side = m.shape[1]!;
      const half = Math.ceil(side / 2);
      const quads = [0, side - half].flatMap((y) =>
        [0, side - half].map((x) => tf.mean(tf.slice(m, [0, y, x, 0], [-1, half, half, -1]), [1, 2])),
      );
      return tf.stack(quads, 1).reshape([m.shape[0]!, -1]);
    });
    return tf.concat(parts, 1);
  });
  const expected = (await want.data()) as Float32Array;
  assert.equal(got.length, expected.length);
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    largest = Math.max(largest, Math.abs(expected[i]!));
  }
  assert.ok(
    worst <= 1e-4 * largest,
    `readout differs from the hand-pooled maps by ${worst} (largest value ${largest})`,
  );
  // The last block is the feature layer averaged: what phase 1's pooled extractor gives.
  const pooled = await runExtractor(pooledExtractor(backbone, 'avg'), pixels);
  const width = 1280;
  for (let n = 0; n < items.length; n++)
    for (let c = 0; c < width; c += 97) {
      const a = got[(n + 1) * extractor.shape[0]! - width + c]!;
      const b = pooled[n * width + c]!;
      assert.ok(Math.abs(a - b) <= 1e-4 * largest, `image ${n}, channel ${c}: ${a} vs ${b}`);
    }
  tf.dispose([pixels, want]);
});
