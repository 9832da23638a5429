// Near-duplicate detection end to end: hashes for candidates, detail for the decision.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { imagePixels, readIdx } from '../../../scripts/fashion-mnist';
import { findNearDuplicates, imagePrint, type ImagePrint } from '../../../src-main/services/curation/duplicates';
import { reduceImage, reducePixels } from '../../../src-main/services/curation/reduce';
import { seededRandom } from '../../../src-main/services/curation/rng';
import { COPIES, haveFashionMnist, skipWithoutData } from './fashion-copies';

/** A print with a fixed hash and a detail vector: shared * common + (1 - shared) * own noise. */
function synthetic(common: Float64Array, shared: number, seed: number): ImagePrint {
  const random = seededRandom(seed);
  const detail = Int8Array.from(common, (c) => Math.round(shared * c + (1 - shared) * (random() * 200 - 100)));
  return { hash: 0n, spectrum: 0n, detail };
}

describe('the decision rule', () => {
  const random = seededRandom(42);
  const crowd = Float64Array.from({ length: 1024 }, () => random() * 200 - 100);

  test('in a crowd of look-alikes only the copy that stands out is reported', () => {
    const prints = Array.from({ length: 12 }, (_, i) => synthetic(crowd, 0.6, i + 1)); // pairwise ~0.7
    const copyOf0 = synthetic(Float64Array.from(prints[0].detail), 0.85, 99); // ~0.97 with print 0
    const result = findNearDuplicates([...prints, copyOf0], { sureSimilarity: 0.99 });
    assert.deepEqual(result.pairs.map((p) => [p.a, p.b, p.why]), [[0, 12, 'stands-out']]);
    assert.deepEqual(result.clusters, [[0, 12]]);
  });

  test('three identical copies all pair up as near-identical, whatever the neighbourhood', () => {
    const same = synthetic(crowd, 0.5, 7);
    const result = findNearDuplicates([same, same, same, synthetic(crowd, 0.5, 8)]);
    assert.deepEqual(result.pairs.map((p) => [p.a, p.b, p.why]), [[0, 1, 'near-identical'], [0, 2, 'near-identical'], [1, 2, 'near-identical']]);
  });

  test('pairs beyond the hash radius are never looked at', () => {
    const a = synthetic(crowd, 1, 1);
    const far = { ...a, hash: 0xffffffffn }; // 32 bits away
    assert.equal(findNearDuplicates([a, far], { radius: 30 }).candidates, 0);
    assert.equal(findNearDuplicates([a, far], { radius: 32 }).pairs.length, 1);
  });
});

describe('on real images', { skip: skipWithoutData }, async () => {
  const set = haveFashionMnist ? readIdx('t10k') : null;
  const originals = Array.from({ length: 400 }, (_, i) => reducePixels(imagePixels(set!, i), 28, 28));
  const sources = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const copies: Array<{ source: number; kind: string; reduction: Uint8Array }> = [];
  for (const [kind, make] of Object.entries(COPIES)) {
    for (const source of sources) copies.push({ source, kind, reduction: await reduceImage(await make(imagePixels(set!, source))) });
  }
  const prints = [...originals, ...copies.map((c) => c.reduction)].map(imagePrint);
  const result = findNearDuplicates(prints);

  test('every copy is paired with its source', () => {
    const reported = new Set(result.pairs.map((p) => `${p.a},${p.b}`));
    const missed = copies.filter((c, k) => !reported.has(`${c.source},${400 + k}`)).map((c) => `${c.kind} of ${c.source}`);
    assert.deepEqual(missed, []);
  });

  test('copies pair with nothing but their source and its other copies', () => {
    const originOf = (i: number) => (i < 400 ? i : copies[i - 400].source);
    const wrong = result.pairs.filter((p) => p.b >= 400 && originOf(p.a) !== originOf(p.b));
    assert.deepEqual(wrong, []);
  });
});
