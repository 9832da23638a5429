// The engine decodes images as the user sees them: a transparent background becomes the
// thumbnails' background (not black), for colour and greyscale files alike, and the
// feature cache never serves features decoded the old way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { selectBackend } from '../../../../src-node-shared/backend';
import { DECODE_VERSION, decodeRgb, loadImage } from '../../../../src-node-shared/data/images';
import { FeatureCache, type CacheKey } from '../../../../src-node-shared/data/feature-cache';
import { thumbnail } from '../../../../src-main/services/import/decode';

const dir = mkdtempSync(join(tmpdir(), 'fs-images-'));
const SIDE = 64;

before(async () => {
  await selectBackend({ prefer: 'cpu' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A black disc (radius 16) on a fully transparent background, `channels` 4 (RGBA) or 2 (grey + alpha). */
async function transparentDisc(path: string, channels: 2 | 4): Promise<void> {
  const px = Buffer.alloc(SIDE * SIDE * channels);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const inDisc = (x - 32) ** 2 + (y - 32) ** 2 < 16 ** 2;
      // Colour under the transparent area is arbitrary: it must not show.
      const at = (y * SIDE + x) * channels;
      px.fill(inDisc ? 0 : 37, at, at + channels - 1);
      px[at + channels - 1] = inDisc ? 255 : 0;
    }
  }
  const img = sharp(px, { raw: { width: SIDE, height: SIDE, channels } });
  await (channels === 2 ? img.toColourspace('b-w') : img).png().toFile(path);
}

async function pixels(t: tf.Tensor3D): Promise<number[][][]> {
  const out = (await t.array()) as number[][][];
  t.dispose();
  return out;
}

function channelMeans(img: number[][][]): number[] {
  const sums = [0, 0, 0];
  for (const row of img) for (const px of row) px.forEach((v, c) => (sums[c] += v));
  return sums.map((s) => s / (img.length * img[0]!.length));
}

test('a transparent background decodes to white around a black shape, as the thumbnail shows it', async () => {
  const path = join(dir, 'rgba.png');
  await transparentDisc(path, 4);
  assert.equal((await sharp(path).metadata()).channels, 4);
  const engine = await pixels(await loadImage(path, SIDE));
  assert.deepEqual(engine[2]![2], [255, 255, 255], 'the transparent corner is the background');
  assert.deepEqual(engine[32]![32], [0, 0, 0], 'the shape stays black');

  // The thumbnail at the same size (it never enlarges): JPEG, so compare means, not bytes.
  const thumb = await thumbnail(path).raw().toBuffer({ resolveWithObject: true });
  assert.equal(thumb.info.width, SIDE);
  const thumbImg = await pixels(tf.tensor3d(Float32Array.from(thumb.data), [SIDE, SIDE, 3]));
  const [e, t] = [channelMeans(engine), channelMeans(thumbImg)];
  // A black disc of radius 16 covers 19.6% of the square: 255 * 0.804 = 205.
  assert.ok(Math.abs(e[0]! - 205) < 3, `engine mean ${e[0]}`);
  e.forEach((m, c) => assert.ok(Math.abs(m - t[c]!) < 1.5, `channel ${c}: engine ${m}, thumbnail ${t[c]}`));
});

test('greyscale with alpha decodes to three equal channels on the background', async () => {
  const path = join(dir, 'grey-alpha.png');
  await transparentDisc(path, 2);
  const meta = await sharp(path).metadata();
  assert.deepEqual([meta.channels, meta.hasAlpha], [2, true], 'the fixture really is grey + alpha');
  const img = await pixels(await loadImage(path, SIDE));
  assert.deepEqual(img[0]![0], [255, 255, 255]);
  assert.deepEqual(img[32]![32], [0, 0, 0]);
  const half = await decodeRgb(path, SIDE / 2);
  assert.equal(half.data.length, (SIDE / 2) ** 2 * 3);
  assert.deepEqual([...half.data.subarray(0, 3)], [255, 255, 255], 'resized too');
});

test('loadImage is decodeRgb as floats: one decode for the engine and the viewer', async () => {
  const path = join(dir, 'rgba.png');
  if (!existsSync(path)) await transparentDisc(path, 4);
  const rgb = await decodeRgb(path, 40);
  const t = await loadImage(path, 40);
  assert.deepEqual(t.shape, [40, 40, 3]);
  assert.deepEqual(Array.from(await t.data()), Array.from(rgb.data));
  t.dispose();
});

test('the feature cache keys on the decode version: features decoded the old way are not served', () => {
  const root = join(dir, 'cache');
  const key: CacheKey = {
    backboneId: 'mobilenet_v2',
    backboneHash: 'abc',
    inputSize: 96,
    point: 'pool-avg',
    length: 4,
  };
  // Where the cache kept features before the decode version was part of its key.
  const legacyTag = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 12);
  const legacyDir = join(root, `mobilenet_v2-96-pool-avg-${legacyTag}`);
  mkdirSync(join(legacyDir, 'ha'), { recursive: true });
  writeFileSync(join(legacyDir, 'ha', 'hash1-v0.f32'), new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));

  const cache = new FeatureCache(root, key);
  assert.notEqual(cache.dir, legacyDir);
  assert.equal(cache.get('hash1', 0), null, 'old features are recomputed');
  assert.equal(JSON.parse(readFileSync(join(cache.dir, 'key.json'), 'utf8')).decodeVersion, DECODE_VERSION);
  // The same key still finds what it stored.
  cache.put('hash1', 0, new Float32Array([5, 6, 7, 8]));
  assert.deepEqual(Array.from(new FeatureCache(root, key).get('hash1', 0)!), [5, 6, 7, 8]);
});
