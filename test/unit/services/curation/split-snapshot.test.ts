// Split manifests: same content, same digest; any change, another digest.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  buildSplitSnapshot,
  canonicalJson,
  verifySplitSnapshot,
  type SplitSnapshotEntry,
} from '../../../../src-main/services/curation/split-snapshot';

const entries: SplitSnapshotEntry[] = [
  { hash: 'c3', split: 'val', fold: null },
  { hash: 'a1', split: 'train', fold: 1 },
  { hash: 'b2', split: 'train', fold: 0 },
  { hash: 'd4', split: null },
  { hash: 'e5', split: 'test' },
];

test('canonical JSON sorts keys at every level and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [{ y: 2, x: 'é' }], c: undefined, d: null }),
    '{"a":[{"x":"é","y":2}],"b":1,"d":null}',
  );
  assert.throws(() => canonicalJson({ a: Number.NaN }), /cannot hold NaN/);
});

test('hashes listed sorted per split and per fold; unassigned counted', () => {
  const m = buildSplitSnapshot(entries, { method: 'stratified', seed: 7 });
  assert.deepEqual(m.splits, { train: ['a1', 'b2'], val: ['c3'], test: ['e5'] });
  assert.deepEqual(m.folds, [['b2'], ['a1']]);
  assert.equal(m.unassigned, 1);
  assert.equal(buildSplitSnapshot([{ hash: 'x', split: 'train' }]).folds, null);
});

test('the digest is sha256 of the canonical JSON, and independent of entry order', () => {
  const m = buildSplitSnapshot(entries, { seed: 7 });
  const { digest, ...body } = m;
  assert.equal(digest, createHash('sha256').update(canonicalJson(body)).digest('hex'));
  assert.equal(buildSplitSnapshot([...entries].reverse(), { seed: 7 }).digest, digest);
  assert.notEqual(buildSplitSnapshot(entries, { seed: 8 }).digest, digest);
  const moved = entries.map((e) => (e.hash === 'e5' ? { ...e, split: 'val' as const } : e));
  assert.notEqual(buildSplitSnapshot(moved, { seed: 7 }).digest, digest);
});

test('a tampered manifest fails verification; a hash in two splits is refused', () => {
  const m = buildSplitSnapshot(entries);
  assert.ok(verifySplitSnapshot(m));
  assert.ok(!verifySplitSnapshot({ ...m, splits: { ...m.splits, test: [] } }));
  assert.throws(
    () =>
      buildSplitSnapshot([
        { hash: 'a', split: 'train' },
        { hash: 'a', split: 'test' },
      ]),
    /image a appears twice, in train and test/,
  );
  assert.equal(
    buildSplitSnapshot([
      { hash: 'a', split: 'train' },
      { hash: 'a', split: 'train' },
    ]).splits.train.length,
    1,
  );
});
