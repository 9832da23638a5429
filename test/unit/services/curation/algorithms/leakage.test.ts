// Leakage: duplicate clusters across splits are flagged; the fix keeps each in one split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findLeakage, fixLeakage } from '../../../../../src-main/services/curation/algorithms/leakage';
import type { Split } from '../../../../../src-shared/schemas';

const splits = new Map<number, Split | null>([
  [1, 'train'],
  [2, 'train'],
  [3, 'val'], // cluster A: train + val
  [4, 'val'],
  [5, 'test'], // cluster B: val + test only
  [6, 'train'],
  [7, 'train'],
  [8, null], // cluster C: one split plus an unassigned copy
  [9, 'train'],
  [10, 'test'], // cluster D: a tie
]);
const clusters = [
  [1, 2, 3],
  [4, 5],
  [6, 7, 8],
  [9, 10],
];

test('clusters spanning splits are flagged and classed; one split plus unassigned is not leakage', () => {
  const leaks = findLeakage(clusters, splits);
  assert.deepEqual(
    leaks.map((l) => [l.members, l.kind]),
    [
      [[1, 2, 3], 'train-eval'],
      [[4, 5], 'val-test'],
      [[9, 10], 'train-eval'],
    ],
  );
  assert.deepEqual(leaks[0].bySplit, { train: [1, 2], val: [3], test: [] });
});

test('a lookup function works like a map, and unknown ids count as unassigned', () => {
  const leaks = findLeakage([[1, 3, 99]], (id) => splits.get(id));
  assert.equal(leaks.length, 1);
  assert.deepEqual(leaks[0].bySplit, { train: [1], val: [3], test: [] });
});

test('the fix moves the minority into the split holding most of the cluster', () => {
  const [a] = fixLeakage(findLeakage([[1, 2, 3]], splits));
  assert.equal(a.keep, 'train');
  assert.deepEqual(a.moves, [{ id: 3, from: 'val', to: 'train' }]);
  assert.match(
    a.reason,
    /3 near-identical images \(2 in train, 1 in val\): moving 1 image to train, since train holds most of them/,
  );
});

test('ties go to train, and between val and test to val; the reason says so', () => {
  const fixes = fixLeakage(
    findLeakage(
      [
        [9, 10],
        [4, 5],
      ],
      splits,
    ),
  );
  assert.deepEqual(
    fixes.map((f) => [f.keep, f.moves]),
    [
      ['train', [{ id: 10, from: 'test', to: 'train' }]],
      ['val', [{ id: 5, from: 'test', to: 'val' }]],
    ],
  );
  assert.match(fixes[0].reason, /a tie, so train/);
});

test('after applying the fix no cluster leaks', () => {
  const after = new Map(splits);
  for (const fix of fixLeakage(findLeakage(clusters, splits))) for (const m of fix.moves) after.set(m.id, m.to);
  assert.deepEqual(findLeakage(clusters, after), []);
  assert.equal(after.get(8), null); // unassigned members stay unassigned
});
