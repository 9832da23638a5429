// The augmentation preview: the engine's transforms on training images, the same for a
// seed, different between views when rotation and flip are on, the original when every
// transform is off, the feature cache's own transform per view, and no tensors left behind.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { augmentBatch, viewParams } from '../../../src-node-shared/data/augment';
import { loadImage } from '../../../src-node-shared/data/images';
import { augmentPreview } from '../../../src-main/services/runs/augment-preview';
import { AugmentPreviewInput } from '../../../src-shared/runs';
import { makeProject, type Made } from './helpers';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

let made: Made | null = null;
async function project(): Promise<Made> {
  if (!made) {
    made = await makeProject([
      { className: 'rows', split: 'train', count: 5 },
      { className: 'cols', split: 'train', count: 5 },
      { className: 'rows', split: 'test', count: 3 },
    ]);
    dirs.push(made.dir);
  }
  return made;
}

const input = (augment: Record<string, unknown>, seed = 7) =>
  AugmentPreviewInput.parse({ augment, seed, count: 4, views: 3, inputSize: 48 });
const OFF = { flip: false, rotationDeg: 0, zoom: 0, brightness: 0, contrast: 0 };
const TURN = { ...OFF, flip: true, rotationDeg: 90 };

test('the same seed gives the same images and views; only training images are shown', async () => {
  const m = await project();
  const a = await augmentPreview(m.project, input({}));
  const b = await augmentPreview(m.project, input({}));
  assert.deepEqual(a, b);
  assert.equal(a.items.length, 4);
  const train = new Set(m.files.filter((f) => f.split === 'train').map((f) => f.imageId));
  for (const item of a.items) {
    assert.ok(train.has(item.imageId));
    assert.equal(item.views.length, 3);
    assert.match(item.original, /^data:image\/jpeg;base64,/);
  }
  const other = await augmentPreview(m.project, input({}, 8));
  assert.notDeepEqual(other, a);
});

test('views differ from each other and from the original when rotation and flip are on', async () => {
  const m = await project();
  const out = await augmentPreview(m.project, input(TURN));
  for (const item of out.items) {
    assert.equal(new Set([item.original, ...item.views]).size, 4, `image ${item.imageId}`);
  }
});

test('with every transform off each view is the original', async () => {
  const m = await project();
  const out = await augmentPreview(m.project, input(OFF));
  for (const item of out.items) for (const v of item.views) assert.equal(v, item.original);
});

test('no tensors leak across previews', async () => {
  const m = await project();
  await augmentPreview(m.project, input(TURN));
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await augmentPreview(m.project, input(TURN, i));
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.getBackend(), 'cpu');
});

test('view k is the feature cache transform for (hash, k, seed)', async () => {
  const m = await project();
  const spec = { ...TURN, zoom: 0.3, brightness: 0.2, contrast: 0.2 };
  const [item] = (await augmentPreview(m.project, input(spec, 11))).items;
  const file = m.files.find((f) => f.imageId === item!.imageId)!;
  const pixels = async (url: string) =>
    new Float32Array(
      await sharp(Buffer.from(url.split(',')[1]!, 'base64'))
        .raw()
        .toBuffer(),
    );
  const got = await pixels(item!.views[1]!);
  const img = await loadImage(file.path, 48);
  const expected = (view: number) =>
    tf.tidy(
      () =>
        augmentBatch(tf.expandDims(img, 0) as tf.Tensor4D, [
          viewParams(spec, file.hash, view, 11),
        ]).dataSync() as Float32Array,
    );
  const meanDiff = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
  const same = meanDiff(got, expected(2));
  const other = meanDiff(got, expected(3));
  img.dispose();
  assert.ok(same < 6, `JPEG of view 2 is close to the engine's view 2 (mean diff ${same})`);
  assert.ok(other > same * 2, `and unlike view 3 (${other} vs ${same})`);
});
