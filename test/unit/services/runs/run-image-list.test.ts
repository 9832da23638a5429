import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StudioError } from '../../../../src-shared/errors';
import { freezeImageList, planImageLists, thawImageList } from '../../../../src-main/services/runs/run-image-list';
import type { PlanImage } from '../../../../src-main/services/runs/run-image-list';

const hash = (i: number) => i.toString(16).padStart(64, '0');

function images(perClass: Record<string, number>, split: PlanImage['split'] = 'train', from = 0): PlanImage[] {
  let n = from;
  return Object.entries(perClass).flatMap(([className, count]) =>
    Array.from({ length: count }, () => ({ hash: hash(n++), className, split })),
  );
}

test('classes are indexed in sorted name order and unsplit images train', () => {
  const plan = planImageLists(images({ zebra: 3, ant: 3 }, null), 1);
  const m = plan.imageLists[0]!;
  assert.deepEqual(m.classes, ['ant', 'zebra']);
  assert.equal(m.train.length + m.val.length, 6);
  assert.match(plan.notes.join(' '), /6 labeled images had no split and were used for training/);
});

test('without a val split, a stratified val is carved from train with the seed, the same every time', () => {
  const imgs = images({ a: 10, b: 5, c: 1 });
  const one = planImageLists(imgs, 42);
  const m = one.imageLists[0]!;
  assert.equal(m.valSource, 'carved');
  assert.deepEqual(
    m.val.map((e) => e.label).sort(),
    [0, 0, 1],
    '20 % of each class; a one-image class stays in training',
  );
  assert.equal(m.train.length, 13);
  assert.deepEqual(planImageLists(imgs, 42).imageLists[0], m);
  assert.notDeepEqual(planImageLists(imgs, 43).imageLists[0]!.val, m.val);
  assert.match(one.notes.join(' '), /held out as validation for this run only, chosen with seed 42/);
});

test('carving is group-aware: a group never straddles train and validation', () => {
  const imgs = images({ a: 12, b: 12 }).map((im, i) => ({ ...im, group: `g${Math.floor(i / 3)}` }));
  const m = planImageLists(imgs, 5).imageLists[0]!;
  const groupOf = new Map(imgs.map((i) => [i.hash, i.group]));
  const valGroups = new Set(m.val.map((e) => groupOf.get(e.hash)));
  assert.ok(m.val.length > 0);
  assert.ok(!m.train.some((e) => valGroups.has(groupOf.get(e.hash))));
});

test('a project val split is used as it is', () => {
  const plan = planImageLists([...images({ a: 4, b: 4 }), ...images({ a: 2, b: 2 }, 'val', 100)], 1);
  assert.equal(plan.imageLists[0]!.valSource, 'split');
  assert.equal(plan.imageLists[0]!.val.length, 4);
});

test("frozen in curation's manifest format: digest names the content, labels included, tampering is caught", () => {
  const imgs = images({ a: 5, b: 5 });
  const a = freezeImageList(planImageLists(imgs, 3).imageLists[0]!);
  const b = freezeImageList(planImageLists([...imgs].reverse(), 3).imageLists[0]!);
  assert.equal(a.digest, b.digest);
  assert.match(a.digest, /^[0-9a-f]{64}$/);
  assert.equal(a.splits.train.length + a.splits.val.length, 10);
  const relabelled = freezeImageList(
    planImageLists(
      imgs.map((i) => (i.hash === hash(0) ? { ...i, className: 'b' } : i)),
      3,
    ).imageLists[0]!,
  );
  assert.notEqual(relabelled.digest, a.digest, 'the same images with other labels are other data');
  assert.deepEqual(thawImageList(JSON.stringify(a)), planImageLists(imgs, 3).imageLists[0]);
  const tampered = { ...a, splits: { ...a.splits, test: [hash(99)] } };
  assert.throws(() => thawImageList(JSON.stringify(tampered)), /does not match its digest/);
});

test('k-fold: every train+val image is validated exactly once, each fold stratified, folds recorded', () => {
  const plan = planImageLists([...images({ a: 9, b: 6 }), ...images({ c: 0 })], 5, 3);
  assert.equal(plan.imageLists.length, 3);
  const seen = plan.imageLists.flatMap((m) => m.val.map((e) => e.hash)).sort();
  assert.equal(new Set(seen).size, 15);
  for (const m of plan.imageLists) {
    assert.equal(m.valSource, 'fold');
    assert.deepEqual(m.val.map((e) => e.label).sort(), [0, 0, 0, 1, 1]);
    assert.equal(m.train.length, 10);
    assert.ok(!m.train.some((t) => m.val.some((v) => v.hash === t.hash)), 'no image in both');
  }
  assert.equal(freezeImageList(plan.imageLists[0]!).folds!.length, 3);
});

test("k-fold uses the dataset's folds when it has K of them, and keeps groups whole otherwise", () => {
  const stored = images({ a: 4, b: 4 }).map((im, i) => ({ ...im, fold: i % 2 }));
  const plan = planImageLists(stored, 1, 2);
  assert.deepEqual(
    plan.imageLists[0]!.val.map((e) => e.hash),
    stored.filter((i) => i.fold === 0).map((i) => i.hash),
  );
  assert.match(plan.notes.join(' '), /The 2 folds assigned in the dataset were used/);
  const grouped = images({ a: 8, b: 8 }).map((im, i) => ({ ...im, group: `g${Math.floor(i / 2)}` }));
  for (const m of planImageLists(grouped, 1, 2).imageLists) {
    const groupsIn = (list: typeof m.val) => new Set(list.map((e) => grouped.find((g) => g.hash === e.hash)!.group));
    const val = groupsIn(m.val);
    assert.ok(![...groupsIn(m.train)].some((g) => val.has(g)));
  }
});

function refused(f: () => unknown, pattern: RegExp): void {
  assert.throws(
    f,
    (err: unknown) => err instanceof StudioError && err.code === 'invalid-input' && pattern.test(err.message),
  );
}

test('refusals say what is wrong and what to do', () => {
  refused(() => planImageLists([], 1), /at least two classes; this project has no labeled images\. Label images/);
  refused(() => planImageLists(images({ cat: 4 }), 1), /only class "cat"/);
  refused(
    () => planImageLists(images({ a: 2, b: 2 }, 'test'), 1),
    /no training images.*Move some labeled images to the train split/,
  );
  refused(
    () => planImageLists([...images({ a: 3 }), ...images({ b: 2 }, 'test', 50)], 1),
    /Class "b" has no images in the train split/,
  );
  refused(
    () => planImageLists(images({ a: 5, b: 2 }), 1, 3),
    /folds: 3-fold cross-validation needs at least 3 .* "b" has fewer/,
  );
});
