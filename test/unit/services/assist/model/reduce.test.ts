import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reduceDims, standardizedReduced, weighBlocks } from '../../../../../src-main/services/assist/model/reduce';
import { standardize } from '../../../../../src-main/services/assist/model/standardize';
import { planted } from './planted';

/** Summed variance of columns [from, to) over the rows of x (n x d). */
function variance(x: Float32Array, d: number, from: number, to: number): number {
  const n = x.length / d;
  let total = 0;
  for (let j = from; j < to; j++) {
    let s = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      s += x[i * d + j]!;
      sq += x[i * d + j]! ** 2;
    }
    total += sq / n - (s / n) ** 2;
  }
  return total;
}

test('each readout layer weighs the same whatever its width, and the whole the widest layer', () => {
  // A narrow layer of 8 values beside a wide one of 56, at wildly different scales.
  const { x } = planted(400, 64, 4, 1, 3);
  for (let i = 0; i < 400; i++) for (let j = 8; j < 64; j++) x[i * 64 + j]! *= 1000;
  const z = standardize(x, 64);
  assert.ok(Math.abs(variance(z, 64, 0, 8) - 8) < 1e-3 && Math.abs(variance(z, 64, 8, 64) - 56) < 1e-2);
  weighBlocks(z, [8, 56]);
  assert.ok(Math.abs(variance(z, 64, 0, 8) - 28) < 1e-2, `narrow layer: ${variance(z, 64, 0, 8)}`);
  assert.ok(Math.abs(variance(z, 64, 8, 64) - 28) < 1e-2, `wide layer: ${variance(z, 64, 8, 64)}`);
});

test('the reduction of raw features standardises in place, weighs the layers, then keeps r components', async () => {
  const raw = planted(600, 48, 3, 0.7, 5).x;
  const copy = raw.slice();
  const z = standardize(copy, 48);
  weighBlocks(z, [16, 32]);
  const want = await reduceDims(z, 48, 12);
  const got = await standardizedReduced(raw, [16, 32], 12);
  assert.equal(got.d, 12);
  assert.deepEqual(got.x, want.x);
  // The raw block now holds the standardised, weighed values: no second block of its size was made.
  assert.deepEqual(raw, z);
  // One layer alone is only standardised.
  const single = planted(600, 48, 3, 0.7, 5).x;
  const kept = await standardizedReduced(single, [48], null);
  assert.deepEqual(kept.x, standardize(planted(600, 48, 3, 0.7, 5).x, 48));
});
