// The perceptual reduction and hashes on real Fashion-MNIST images (Debian's
// dataset-fashion-mnist): copies made with sharp stay close, different garments do not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { imagePixels, readIdx } from '../../../../../scripts/fashion-mnist';
import { detailDescriptor, detailSimilarity } from '../../../../../src-main/services/curation/algorithms/detail';
import {
  dctHash,
  hammingDistance,
  hashFromHex,
  hashToHex,
  spectrumHash,
} from '../../../../../src-main/services/curation/algorithms/phash';
import { reduceImage, reducePixels, SIDE } from '../../../../../src-main/services/curation/algorithms/reduce';
import { COPIES, haveFashionMnist, skipWithoutData } from '../../../../fixtures/fashion-copies';

describe('reducePixels', () => {
  test('area averaging makes the reduction independent of the source size', () => {
    const small = Uint8Array.from({ length: 64 * 64 }, (_, i) =>
      (((i % 64) >> 3) + (Math.floor(i / 64) >> 3)) % 2 ? 200 : 30,
    );
    const big = new Uint8Array(128 * 128);
    for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) big[y * 128 + x] = small[(y >> 1) * 64 + (x >> 1)];
    assert.deepEqual(reducePixels(big, 128, 128), reducePixels(small, 64, 64));
    assert.equal(reducePixels(small, 64, 64).length, SIDE * SIDE);
  });

  test('an RGB image with equal channels reduces like its grey version; alpha darkens', () => {
    const grey = Uint8Array.from({ length: 40 * 30 }, (_, i) => (i * 7) % 256);
    const rgb = new Uint8Array(grey.length * 3);
    grey.forEach((v, i) => rgb.fill(v, i * 3, i * 3 + 3));
    assert.deepEqual(reducePixels(rgb, 40, 30, 3), reducePixels(grey, 40, 30, 1));
    const rgba = new Uint8Array(grey.length * 4);
    grey.forEach((v, i) => rgba.set([v, v, v, 0], i * 4));
    assert.ok(reducePixels(rgba, 40, 30, 4).every((v) => v === 0));
  });

  test('a buffer of the wrong length is refused with the sizes in the message', () => {
    assert.throws(() => reducePixels(new Uint8Array(28 * 28 * 3), 28, 28, 1), /28x28x1 = 784 bytes, got 2352/);
  });
});

describe('hashes of real images', { skip: skipWithoutData }, async () => {
  const set = haveFashionMnist ? readIdx('t10k') : null;
  const ids = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const originals = ids.map((i) => reducePixels(imagePixels(set!, i), 28, 28));
  const copies = new Map<string, Uint8Array[]>();
  for (const [name, make] of Object.entries(COPIES)) {
    copies.set(name, await Promise.all(ids.map(async (i) => reduceImage(await make(imagePixels(set!, i))))));
  }

  test('resized, re-encoded and brightened copies keep the DCT hash within 10 of 64 bits', () => {
    for (const name of ['resized to 40 px', 'JPEG quality 70', 'brightened 10 %']) {
      const d = copies.get(name)!.map((r, k) => hammingDistance(dctHash(r), dctHash(originals[k])));
      assert.ok(Math.max(...d) <= 10, `${name}: ${d}`);
    }
  });

  test('a 5 % crop moves the DCT hash but the spectrum hash stays within 12 bits', () => {
    const d = copies.get('cropped 5 %')!.map((r, k) => hammingDistance(spectrumHash(r), spectrumHash(originals[k])));
    assert.ok(Math.max(...d) <= 12, `${d}`);
  });

  test('different garments are at least 12 bits apart in the DCT hash, 20 on average', () => {
    const d: number[] = [];
    for (let a = 0; a < ids.length; a++)
      for (let b = a + 1; b < ids.length; b++) d.push(hammingDistance(dctHash(originals[a]), dctHash(originals[b])));
    assert.ok(Math.min(...d) >= 12, `${d}`);
    assert.ok(d.reduce((s, x) => s + x, 0) / d.length >= 20);
  });

  test('every copy is more alike in detail to its source than to any other image, at 0.85 or more', () => {
    const details = originals.map(detailDescriptor);
    for (const [name, list] of copies) {
      list.forEach((r, k) => {
        const sims = details.map((d) => detailSimilarity(detailDescriptor(r), d));
        assert.ok(sims[k] >= 0.85, `${name} of image ${k}: ${sims[k].toFixed(2)}`);
        assert.equal(sims.indexOf(Math.max(...sims)), k, `${name} of image ${k}: ${sims.map((s) => s.toFixed(2))}`);
      });
    }
  });
});

test('hashes round-trip through 16 hex digits, including the top bit', () => {
  for (const h of [0n, 1n, 0xffffffffffffffffn, 0x8000000000000001n]) assert.equal(hashFromHex(hashToHex(h)), h);
  assert.equal(hashToHex(0xabcn), '0000000000000abc');
  assert.throws(() => hashFromHex('xyz'), /not a 64-bit hash/);
  assert.equal(hammingDistance(0n, 0xffffffffffffffffn), 64);
});
