// Exact nearest rows against a full sort; PCA keeps the planted directions of most variance.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearestRows } from '../../../../../src-main/services/assist/model/neighbours';
import { fitPca, projectPca } from '../../../../../src-main/services/assist/model/pca';
import { seededRandom } from '../../../../../src-shared/random';
import { gaussian, planted } from './planted';

test('nearestRows gives the same rows as sorting every distance, nearest first, without the query', () => {
  const { x } = planted(300, 6, 3, 1, 4);
  const d = 6;
  const dist = (a: number, b: number) =>
    Math.sqrt(Array.from({ length: d }, (_, j) => (x[a * d + j]! - x[b * d + j]!) ** 2).reduce((s, v) => s + v, 0));
  for (const query of [0, 17, 299]) {
    const want = Array.from({ length: 300 }, (_, r) => r)
      .filter((r) => r !== query)
      .sort((a, b) => dist(query, a) - dist(query, b) || a - b)
      .slice(0, 25);
    const got = nearestRows(x, d, query, 25);
    assert.deepEqual(
      got.map((g) => g.row),
      want,
    );
    assert.ok(Math.abs(got[0]!.distance - dist(query, want[0]!)) < 1e-4);
  }
  assert.equal(nearestRows(x, d, 0, 1000).length, 299, 'at most every other row');
});

test('PCA finds the planted high-variance directions and projects onto them', async () => {
  // 2 strong directions (axes 3 and 7, sd 10 and 5) in 12 dims of unit noise.
  const rand = seededRandom(9);
  const n = 800;
  const d = 12;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = gaussian(rand);
    x[i * d + 3] = 10 * gaussian(rand);
    x[i * d + 7] = 5 * gaussian(rand);
  }
  const pca = await fitPca(x, d, { r: 2 });
  assert.ok(Math.abs(pca.components[3]!) > 0.99, `first component on axis 3: ${pca.components.slice(0, d)}`);
  assert.ok(Math.abs(pca.components[d + 7]!) > 0.99, 'second on axis 7');
  assert.ok(pca.variance[0]! > 80 && pca.variance[0]! < 120 && pca.variance[1]! > 18 && pca.variance[1]! < 32);
  const z = await projectPca(pca, x);
  assert.equal(z.length, n * 2);
  assert.ok(Math.abs(Math.abs(z[0]!) - Math.abs(x[3]!)) < 0.5);
});
