// Train/val/test assignment: reproducible, exactly stratified, group-aware, predefined splits kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom, shuffled } from '../../../../../src-shared/random';
import {
  apportion,
  assignSplits,
  groupedSplit,
  stratifiedSplit,
  type SplitItem,
} from '../../../../../src-main/services/curation/algorithms/splits';
import type { Split } from '../../../../../src-shared/schemas';

/** Images per class as given, ids 0.. in class order. */
function dataset(perClass: Record<string, number>): SplitItem<number>[] {
  let id = 0;
  return Object.entries(perClass).flatMap(([label, n]) => Array.from({ length: n }, () => ({ id: id++, label })));
}

function counts(items: readonly SplitItem<number>[], assignment: Map<number, Split>) {
  const out: Record<string, Record<Split, number>> = {};
  for (const item of items) {
    const c = (out[item.label ?? ''] ??= { train: 0, val: 0, test: 0 });
    c[assignment.get(item.id)!]++;
  }
  return out;
}

describe('apportion', () => {
  test('largest remainder: sums to n, each count within one of n * fraction', () => {
    assert.deepEqual(apportion(37, [0.7, 0.15, 0.15]), [26, 6, 5]);
    assert.deepEqual(apportion(100, [0.7, 0.15, 0.15]), [70, 15, 15]);
    assert.deepEqual(apportion(10, [0.5, 0.5, 0]), [5, 5, 0]);
  });
  test('every split with a share gets an image when there are enough', () => {
    assert.deepEqual(apportion(3, [0.9, 0.05, 0.05]), [1, 1, 1]);
    assert.deepEqual(apportion(4, [0.9, 0.05, 0.05]), [2, 1, 1]);
    assert.deepEqual(apportion(2, [0.7, 0.15, 0.15]), [2, 0, 0]);
  });
});

describe('stratifiedSplit', () => {
  const items = dataset({ cat: 100, dog: 37, rare: 3, pair: 2 });
  const options = { val: 0.15, test: 0.15, seed: 7 };

  test('each class is split in its exact proportions; small classes still reach every split', () => {
    const { assignment } = stratifiedSplit(items, options);
    assert.equal(assignment.size, items.length);
    assert.deepEqual(counts(items, assignment), {
      cat: { train: 70, val: 15, test: 15 },
      dog: { train: 26, val: 6, test: 5 },
      rare: { train: 1, val: 1, test: 1 },
      pair: { train: 2, val: 0, test: 0 },
    });
  });

  test('the same seed gives the same split whatever the input order; another seed another split', () => {
    const a = stratifiedSplit(items, options).assignment;
    const b = stratifiedSplit(shuffled(items, seededRandom(3)), options).assignment;
    assert.deepEqual(
      [...b].sort((x, y) => x[0] - y[0]),
      [...a].sort((x, y) => x[0] - y[0]),
    );
    const c = stratifiedSplit(items, { ...options, seed: 8 }).assignment;
    assert.notDeepEqual(
      [...c].sort((x, y) => x[0] - y[0]),
      [...a].sort((x, y) => x[0] - y[0]),
    );
  });

  test('existing splits are kept and counted towards the proportions', () => {
    const withFixed = items.map((i) => (i.label === 'cat' && i.id < 20 ? { ...i, split: 'test' as Split } : i));
    const { assignment, kept } = stratifiedSplit(withFixed, options);
    assert.equal(kept, 20);
    for (let id = 0; id < 20; id++) assert.equal(assignment.get(id), 'test');
    // 20 cats already in test, more than its 15: the other 80 share train and val as 70 : 15.
    assert.deepEqual(counts(items, assignment).cat, { train: 66, val: 14, test: 20 });
  });

  test('keepExisting: false reassigns everything', () => {
    const withFixed = items.map((i) => ({ ...i, split: 'test' as Split }));
    const { assignment, kept } = stratifiedSplit(withFixed, { ...options, keepExisting: false });
    assert.equal(kept, 0);
    assert.deepEqual(counts(items, assignment).cat, { train: 70, val: 15, test: 15 });
  });

  test('fractions that leave nothing for train are refused', () => {
    assert.throws(() => stratifiedSplit(items, { val: 0.5, test: 0.5, seed: 1 }), /leave something for train/);
  });
});

describe('groupedSplit', () => {
  // 120 patients with 1-9 images each, two classes, so groups differ in size and mix.
  const random = seededRandom(11);
  const items: SplitItem<number>[] = [];
  for (let p = 0; p < 120; p++) {
    const n = 1 + Math.floor(random() * 9);
    for (let k = 0; k < n; k++)
      items.push({ id: items.length, label: random() < 0.3 ? 'sick' : 'healthy', group: `P${p}` });
  }
  const options = { val: 0.15, test: 0.15, seed: 5 };

  test('no group straddles splits', () => {
    const { assignment } = groupedSplit(items, options);
    const splitOfGroup = new Map<string, Set<Split>>();
    for (const i of items)
      splitOfGroup.set(i.group!, (splitOfGroup.get(i.group!) ?? new Set()).add(assignment.get(i.id)!));
    assert.ok([...splitOfGroup.values()].every((s) => s.size === 1));
  });

  test('proportions come out close for each class (within 3 points)', () => {
    const { assignment } = groupedSplit(items, options);
    for (const [label, c] of Object.entries(counts(items, assignment))) {
      const total = c.train + c.val + c.test;
      assert.ok(
        Math.abs(c.val / total - 0.15) < 0.03 && Math.abs(c.test / total - 0.15) < 0.03,
        `${label}: ${JSON.stringify(c)}`,
      );
    }
  });

  test('reproducible from the seed', () => {
    assert.deepEqual([...groupedSplit(items, options).assignment], [...groupedSplit(items, options).assignment]);
  });

  test('a group with a predefined split takes its whole group there; a conflicted group is reported', () => {
    const fixed = items.map((i) =>
      i.group === 'P3' && i.id === items.find((x) => x.group === 'P3')!.id ? { ...i, split: 'test' as Split } : i,
    );
    const { assignment } = groupedSplit(fixed, options);
    assert.ok(items.filter((i) => i.group === 'P3').every((i) => assignment.get(i.id) === 'test'));
    const conflicted = [
      { id: 1, label: 'a', group: 'G', split: 'train' as Split },
      { id: 2, label: 'a', group: 'G', split: 'val' as Split },
      { id: 3, label: 'a', group: 'G' },
    ];
    const r = groupedSplit(conflicted, options);
    assert.deepEqual([...r.assignment].sort(), [
      [1, 'train'],
      [2, 'val'],
      [3, 'train'],
    ]);
    assert.match(r.warnings[0], /group G already spans train and val/);
  });

  test('assignSplits goes grouped only when some image has a group', () => {
    const plain = dataset({ a: 10 });
    assert.deepEqual(assignSplits(plain, options).assignment, stratifiedSplit(plain, options).assignment);
    const grouped = plain.map((i) => ({ ...i, group: 'one' }));
    assert.equal(new Set(assignSplits(grouped, options).assignment.values()).size, 1);
  });
});
