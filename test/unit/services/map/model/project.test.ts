import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nearest, nearestCoarse } from '../../../../../src-main/services/map/model/knn';
import { projectRows } from '../../../../../src-main/services/map/model/project';
import { seededRandom } from '../../../../../src-shared/random';

const gauss = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** n points in k well separated clusters of d values; cluster i % k. */
function clusters(n: number, d: number, k: number, seed = 1): Float32Array {
  const random = seededRandom(seed);
  const centres = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => 8 * gauss(random)));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = centres[i % k]![j]! + gauss(random);
  return x;
}

/** Share of each point's nearest 2D neighbour in its own cluster. */
function nearestSameCluster(xy: Float32Array, k: number): number {
  const n = xy.length / 2;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      const d = j === i ? Infinity : (xy[i * 2]! - xy[j * 2]!) ** 2 + (xy[i * 2 + 1]! - xy[j * 2 + 1]!) ** 2;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    if (best % k === i % k) same++;
  }
  return same / n;
}

describe('map projection', () => {
  it("PCA (the assistant's) is fitted on centred rows: features far from the origin map as well as near it", async () => {
    const d = 40;
    // Four clusters around a common offset 50 times their spread: uncentred, the first
    // component would be the offset's direction, and two components could not tell them apart.
    const x = clusters(400, d, 4, 3).map((v) => v + 400);
    const out = await projectRows(x, d, { components: 2, epochs: 50, seed: 1 });
    assert.equal(out.components, 2);
    const purity = nearestSameCluster(out.xy, 4);
    assert.ok(purity > 0.95, `${purity} of nearest neighbours in their own cluster`);
  });

  it('exact neighbours put each point first among its own, and the coarse search agrees', async () => {
    const dim = 32;
    // Variance falling with the dimension, as in PCA's output, which the coarse search is for.
    const x = clusters(300, dim, 3).map((v, i) => v * Math.exp(-(i % dim) / 6));
    const exact = await nearest({ base: x, query: x, dim, k: 5 });
    for (let q = 0; q < 300; q++) assert.equal(exact.indices[q * 5], q);
    const coarse = await nearestCoarse({ base: x, query: x, dim, k: 5, coarse: 16, candidates: 20 });
    let agree = 0;
    for (let i = 0; i < exact.indices.length; i++) if (exact.indices[i] === coarse.indices[i]) agree++;
    assert.ok(agree / exact.indices.length > 0.9, `coarse search agrees on ${agree} of ${exact.indices.length}`);
  });

  it('keeps clusters apart, whether laid out whole or fitted on a sample and placed', async () => {
    const d = 80;
    const x = clusters(600, d, 4);
    const whole = await projectRows(x, d, { components: 20, epochs: 100, seed: 3 });
    assert.equal(whole.fitted, 600);
    assert.ok(nearestSameCluster(whole.xy, 4) > 0.95);
    const stages = new Set<string>();
    const sampled = await projectRows(x, d, {
      components: 20,
      epochs: 100,
      sampleSize: 200,
      seed: 3,
      onProgress: (s) => stages.add(s),
    });
    assert.equal(sampled.fitted, 200);
    assert.deepEqual([...stages], ['pca', 'neighbours', 'layout', 'placing']);
    assert.ok(nearestSameCluster(sampled.xy, 4) > 0.95);
  });

  it('stops when cancelled', async () => {
    const ctrl = new AbortController();
    ctrl.abort(new Error('cancelled'));
    await assert.rejects(projectRows(clusters(300, 80, 3), 80, { signal: ctrl.signal }), /cancelled/);
  });
});
