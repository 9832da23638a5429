// Multi-index hashing against comparing all pairs, and pairs into clusters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  chooseBandCount,
  clustersFromPairs,
  exactClusters,
  packCodes,
  pairsWithin,
  pairsWithinBrute,
  popcount32,
  type SearchStrategy,
} from '../../../../../src-main/services/curation/algorithms/near-dupes';
import { seededRandom } from '../../../../../src-shared/random';

/** Random codes in families: each family a random centre, members with a few bits flipped. */
function familyCodes(n: number, words: number, seed: number, maxFlips: number): Uint32Array {
  const random = seededRandom(seed);
  const codes = new Uint32Array(n * words);
  let centre = new Uint32Array(words);
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) centre = Uint32Array.from({ length: words }, () => Math.floor(random() * 2 ** 32));
    codes.set(centre, i * words);
    const flips = Math.floor(random() * (maxFlips + 1));
    for (let f = 0; f < flips; f++) {
      const bit = Math.floor(random() * words * 32);
      codes[i * words + (bit >>> 5)] ^= 1 << (bit & 31);
    }
  }
  return codes;
}

function collect(codes: Uint32Array, words: number, radius: number, strategy?: SearchStrategy | 'brute') {
  const pairs: string[] = [];
  const visit = (a: number, b: number, d: number) => pairs.push(`${a}-${b}:${d}`);
  if (strategy === 'brute') pairsWithinBrute(codes, words, radius, visit);
  else pairsWithin(codes, words, radius, visit, strategy);
  return pairs.sort();
}

describe('pairsWithin', () => {
  for (const [words, radius] of [
    [2, 0],
    [2, 6],
    [2, 12],
    [4, 10],
    [4, 30],
    [3, 9],
  ] as const) {
    test(`multi-index finds exactly the pairs all-pairs finds (${words * 32} bits, radius ${radius})`, () => {
      const codes = familyCodes(600, words, words * 100 + radius, radius + 4);
      const brute = collect(codes, words, radius, 'brute');
      assert.ok(brute.length >= 20, `the data should have pairs to find, has ${brute.length}`);
      assert.deepEqual(collect(codes, words, radius, 'multi-index'), brute);
      assert.deepEqual(collect(codes, words, radius), brute);
    });
  }

  test('each pair is visited once, smaller index first, with its true distance', () => {
    const codes = packCodes([[0b1011n], [0b1000n], [0b1011n], [0xff00n]]);
    assert.deepEqual(collect(codes.codes, codes.words, 2, 'multi-index'), ['0-1:2', '0-2:0', '1-2:2']);
  });

  test('auto takes the index on spread-out data and all pairs on dense data', () => {
    const spread = familyCodes(5000, 2, 7, 3);
    assert.equal(
      pairsWithin(spread, 2, 4, () => {}),
      'multi-index',
    );
    const dense = new Uint32Array(5000 * 2); // every code equal: every bucket probed is full
    assert.equal(
      pairsWithin(dense, 2, 4, () => {}),
      'all-pairs',
    );
  });

  test('band count: bands of at most 20 bits, about log2(n) wide for large n', () => {
    const m = chooseBandCount(61000, 64, 8);
    assert.ok(m >= 4 && m <= 6, `${m}`); // 11- to 16-bit bands for 61,000 codes
    assert.equal(chooseBandCount(100, 64, 2), 4); // the fewest 20-bit tables allow; each band then must match exactly
    assert.equal(chooseBandCount(10, 128, 0), 7);
  });
});

test('popcount32 counts bits of any 32-bit value', () => {
  for (const [x, n] of [
    [0, 0],
    [1, 1],
    [0xffffffff, 32],
    [0x80000000, 1],
    [-1, 32],
    [0x0f0f0f0f, 16],
  ])
    assert.equal(popcount32(x), n);
});

test('packCodes keeps all 64 bits of each hash and refuses ragged input', () => {
  const { codes, words } = packCodes([[0xffffffff00000001n, 2n]]);
  assert.equal(words, 4);
  assert.deepEqual([...codes], [1, 0xffffffff, 2, 0]);
  assert.throws(() => packCodes([[1n], [1n, 2n]]), /item 1 has 2 hashes, expected 1/);
});

test('clusters join pairs transitively and leave singletons out', () => {
  assert.deepEqual(
    clustersFromPairs(7, [
      [5, 6],
      [1, 3],
      [3, 4],
    ]),
    [
      [1, 3, 4],
      [5, 6],
    ],
  );
  assert.deepEqual(clustersFromPairs(3, []), []);
});

test('exact clusters group equal content hashes', () => {
  assert.deepEqual(exactClusters(['a', 'b', 'a', 'c', 'b', 'a']), [
    [0, 2, 5],
    [1, 4],
  ]);
});
