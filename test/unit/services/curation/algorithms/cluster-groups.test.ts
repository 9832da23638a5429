// Near-duplicate clusters as split groups: clusters become groups, join the user's groups they
// touch, and are named by content so import order cannot change a split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupsWithClusters } from '../../../../../src-main/services/curation/algorithms/cluster-groups';
import { planSplit } from '../../../../../src-main/services/curation/algorithms/splits';
import type { CurationRow } from '../../../../../src-main/store/repos/images';

const img = (id: number, group: string | null = null) => ({ id, hash: `h${String(100 - id).padStart(3, '0')}`, group });

test('a cluster outside every group becomes a group of its own; untouched images stay alone', () => {
  const groups = groupsWithClusters([img(1), img(2), img(3), img(4, 'P1'), img(5, 'P1')], [[1, 3]]);
  assert.equal(groups.get(1), groups.get(3));
  assert.notEqual(groups.get(1), null);
  assert.equal(groups.get(2), null);
  assert.deepEqual([groups.get(4), groups.get(5)], ['P1', 'P1']);
});

test('a cluster spanning two user groups joins them under the smaller name', () => {
  const groups = groupsWithClusters([img(1, 'P2'), img(2, 'P2'), img(3, 'P1'), img(4), img(5, 'P3')], [[2, 3, 4]]);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((id) => groups.get(id)),
    ['P1', 'P1', 'P1', 'P1', 'P3'],
  );
});

test('ids outside the images (excluded ones) are ignored, and a cluster left with one image joins nothing', () => {
  const groups = groupsWithClusters(
    [img(1), img(2), img(3)],
    [
      [1, 9],
      [2, 3, 8],
    ],
  );
  assert.equal(groups.get(1), null);
  assert.equal(groups.get(2), groups.get(3));
});

test('the key depends on content, not on ids: renumbered images get the same keys', () => {
  const a = groupsWithClusters([img(1), img(2)], [[1, 2]]);
  const b = groupsWithClusters(
    [
      { ...img(1), id: 7 },
      { ...img(2), id: 3 },
    ],
    [[3, 7]],
  );
  assert.equal(a.get(1), b.get(7));
});

test('planSplit puts every cluster in one split and folds, and leaves stored groups as the user made them', () => {
  const rows: CurationRow[] = Array.from({ length: 40 }, (_, i) => ({
    id: i + 1,
    hash: `${String(i).padStart(3, '0')}`,
    classId: i % 2,
    label: i % 2 ? 'b' : 'a',
    split: null,
    width: 8,
    height: 8,
    grayscale: null,
    path: null,
    relPath: null,
    groupKey: null,
    fold: null,
    excluded: false,
  }));
  const clusters = [
    [1, 3, 5],
    [2, 4],
    [10, 12, 14, 16],
  ];
  for (const seed of [1, 2, 3, 4, 5]) {
    const plan = planSplit(rows, { val: 0.25, test: 0.25, seed, keepPredefined: false, folds: 3 }, clusters);
    const split = new Map(plan.moves.map((m) => [m.imageId, m.split]));
    for (const c of clusters) {
      assert.equal(new Set(c.map((id) => split.get(id))).size, 1, `seed ${seed}: cluster ${c} split`);
      if (split.get(c[0]) !== 'test')
        assert.equal(new Set(c.map((id) => plan.folds!.get(id))).size, 1, `seed ${seed}: cluster ${c} folds`);
    }
    assert.deepEqual(
      [...plan.groups.values()].filter((g) => g !== null),
      [],
    );
    const counts = ['train', 'val', 'test'].map((s) => plan.moves.filter((m) => m.split === s).length);
    assert.ok(Math.abs(counts[1] - 10) <= 2 && Math.abs(counts[2] - 10) <= 2, `seed ${seed}: ${counts}`);
  }
});
