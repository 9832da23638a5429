// The one seeded generator: splits are frozen by digest, so its sequence must never drift.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedOf, seededRandom, shuffled } from '../../../src-shared/random';

test('seed 1 gives the published mulberry32 sequence', () => {
  const random = seededRandom(1);
  assert.deepEqual([random(), random(), random()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
});

test('the same seed gives the same stream, another seed another one, all in [0, 1)', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    Array.from({ length: 1000 }, () => b()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 1000 }, () => c()),
    xs,
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('shuffled keeps every item, leaves the input alone and repeats for a seed', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const once = shuffled(items, seededRandom(7));
  assert.deepEqual(shuffled(items, seededRandom(7)), once);
  assert.notDeepEqual(once, items);
  assert.deepEqual(
    [...once].sort((x, y) => x - y),
    items,
  );
  assert.deepEqual(
    items,
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test('seedOf depends on every part and their order', () => {
  assert.equal(seedOf('fit', 1, 0), seedOf('fit', 1, 0));
  assert.notEqual(seedOf('fit', 1, 0), seedOf('fit', 0, 1));
  assert.notEqual(seedOf('a', 'bc'), seedOf('ab', 'c'));
});
