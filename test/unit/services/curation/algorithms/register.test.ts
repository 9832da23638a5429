// Registration: a copy laid over its source by scale and shift comes out far closer than any
// look-alike; on real Fashion-MNIST copies made with sharp too.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { imagePixels, readIdx } from '../../../../../scripts/fashion-mnist';
import { reduceImage, reducePixels, SIDE } from '../../../../../src-main/services/curation/algorithms/reduce';
import {
  contentMoments,
  registeredDistance,
  registrable,
} from '../../../../../src-main/services/curation/algorithms/register';
import { COPIES, haveFashionMnist, skipWithoutData } from '../../../../fixtures/fashion-copies';

/** A textured blob seen through a shift and a scale about the centre. */
function blob(dx = 0, dy = 0, scale = 1, gain = 1, offset = 0): Uint8Array {
  const out = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const [u, v] = [(x - 15.5) * scale + 15.5 + dx, (y - 15.5) * scale + 15.5 + dy];
      const body = Math.exp(-(((u - 14) / 8) ** 2) - ((v - 17) / 10) ** 2);
      const texture = Math.sin(1.3 * u) * Math.cos(0.9 * v + 1) + 0.5 * Math.sin(0.7 * u + 1.7 * v);
      out[y * SIDE + x] = Math.round(
        Math.min(255, Math.max(0, gain * (30 + 150 * body * (1 + 0.4 * texture)) + offset)),
      );
    }
  }
  return out;
}

/** 1 - correlation with no warp at all: what registration improves on. */
function plainDistance(a: Uint8Array, b: Uint8Array): number {
  const [ra, rb] = [registrable(a).image, registrable(b).image];
  const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < ra.length; i++) {
    ab += (ra[i] - ma) * (rb[i] - mb);
    aa += (ra[i] - ma) ** 2;
    bb += (rb[i] - mb) ** 2;
  }
  return 1 - ab / Math.sqrt(aa * bb);
}

describe('registeredDistance', () => {
  const source = registrable(blob());

  test('an image is at distance 0 from itself, and from a brighter, higher-contrast version', () => {
    assert.ok(registeredDistance(source, source) < 1e-6);
    assert.ok(registeredDistance(source, registrable(blob(0, 0, 1, 1.2, 15))) < 1e-3);
  });

  test('a shifted and scaled copy is found again: the warp takes its distance down tenfold or more', () => {
    const moved = blob(0.8, -0.6, 1.05);
    const registered = registeredDistance(source, registrable(moved));
    assert.ok(registered < 0.002, `registered ${registered}`);
    assert.ok(
      plainDistance(blob(), moved) > 10 * registered,
      `plain ${plainDistance(blob(), moved)}, registered ${registered}`,
    );
  });

  test('a flat image matches nothing, and the moments of a flat image are the centre', () => {
    const flat = registrable(new Uint8Array(SIDE * SIDE).fill(90));
    assert.equal(registeredDistance(source, flat), 1);
    assert.deepEqual(contentMoments(new Float32Array(SIDE * SIDE)), { cx: 15.5, cy: 15.5, spread: 8 });
  });
});

describe('on real images', { skip: skipWithoutData }, async () => {
  const set = haveFashionMnist ? readIdx('t10k') : null;
  const originals = Array.from({ length: 60 }, (_, i) => registrable(reducePixels(imagePixels(set!, i), 28, 28)));
  const copies: Array<{ name: string; source: number; r: ReturnType<typeof registrable> }> = [];
  for (const [name, make] of Object.entries(COPIES)) {
    for (let source = 0; source < 10; source++)
      copies.push({ name, source, r: registrable(await reduceImage(await make(imagePixels(set!, source)))) });
  }

  test('every copy registers within 0.008 of its source and 2.5 times closer than to any of 59 other garments', () => {
    for (const { name, source, r } of copies) {
      const d = originals.map((o) => registeredDistance(o, r));
      const others = Math.min(...d.filter((_, i) => i !== source));
      assert.ok(d[source] <= 0.008, `${name} of ${source}: ${d[source].toFixed(4)}`);
      assert.ok(
        others >= 2.5 * Math.max(d[source], 0.001),
        `${name} of ${source}: ${d[source].toFixed(4)} against ${others.toFixed(4)}`,
      );
    }
  });
});
