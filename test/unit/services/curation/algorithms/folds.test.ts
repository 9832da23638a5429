// k-fold assignment: every image in exactly one fold, so each is validated once per k rounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignFolds, groupedFolds, stratifiedFolds } from '../../../../../src-main/services/curation/algorithms/folds';
import { seededRandom } from '../../../../../src-shared/random';
import type { SplitItem } from '../../../../../src-main/services/curation/algorithms/splits';

const items: SplitItem<number>[] = [
  ...Array.from({ length: 53 }, (_, i) => ({ id: i, label: 'a' })),
  ...Array.from({ length: 21 }, (_, i) => ({ id: 100 + i, label: 'b' })),
  ...Array.from({ length: 4 }, (_, i) => ({ id: 200 + i, label: 'c' })),
];

function foldCounts(folds: Map<number, number>, k: number, label?: string) {
  const c = new Array(k).fill(0);
  for (const item of items) if (!label || item.label === label) c[folds.get(item.id)!]++;
  return c;
}

test('stratified: each image in one fold; folds and each class within one image of even', () => {
  const k = 5;
  const folds = stratifiedFolds(items, { k, seed: 1 });
  assert.equal(folds.size, items.length);
  assert.ok([...folds.values()].every((f) => Number.isInteger(f) && f >= 0 && f < k));
  for (const label of [undefined, 'a', 'b', 'c']) {
    const c = foldCounts(folds, k, label);
    assert.ok(Math.max(...c) - Math.min(...c) <= 1, `${label ?? 'all'}: ${c}`);
  }
});

test('over the k rounds every image is validated exactly once and never trains on itself', () => {
  const k = 4;
  const folds = stratifiedFolds(items, { k, seed: 2 });
  const validated = new Map<number, number>();
  for (let round = 0; round < k; round++) {
    const val = items.filter((i) => folds.get(i.id) === round);
    const train = items.filter((i) => folds.get(i.id) !== round);
    assert.equal(val.length + train.length, items.length);
    for (const i of val) validated.set(i.id, (validated.get(i.id) ?? 0) + 1);
  }
  assert.ok(items.every((i) => validated.get(i.id) === 1));
});

test('reproducible from the seed; k must be at least 2 and at most the number of units', () => {
  assert.deepEqual([...stratifiedFolds(items, { k: 3, seed: 9 })], [...stratifiedFolds(items, { k: 3, seed: 9 })]);
  assert.notDeepEqual([...stratifiedFolds(items, { k: 3, seed: 9 })], [...stratifiedFolds(items, { k: 3, seed: 10 })]);
  assert.throws(() => stratifiedFolds(items, { k: 1, seed: 1 }), /k >= 2/);
  assert.throws(
    () =>
      groupedFolds(
        items.map((i) => ({ ...i, group: 'x' })),
        { k: 2, seed: 1 },
      ),
    /at least 2 images \(or groups\), got 1/,
  );
});

test('grouped: a group never spans folds, and folds stay roughly even', () => {
  const random = seededRandom(4);
  const grouped = items.map((i) => ({ ...i, group: `g${Math.floor(random() * 30)}` }));
  const k = 5;
  const folds = assignFolds(grouped, { k, seed: 3 });
  const foldsOf = new Map<string, Set<number>>();
  for (const i of grouped) foldsOf.set(i.group, (foldsOf.get(i.group) ?? new Set()).add(folds.get(i.id)!));
  assert.ok([...foldsOf.values()].every((s) => s.size === 1));
  const c = foldCounts(folds, k);
  assert.ok(Math.max(...c) - Math.min(...c) <= 6, `${c}`);
});
