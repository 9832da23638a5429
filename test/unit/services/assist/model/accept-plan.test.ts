import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAccept } from '../../../../../src-main/services/assist/model/accept-plan';

const suggestions = [
  { imageId: 1, classId: 10, probability: 0.99 },
  { imageId: 2, classId: 10, probability: 0.8 },
  { imageId: 3, classId: 20, probability: 0.95 },
  { imageId: 4, classId: 20, probability: 0.5 },
  { imageId: 5, classId: 10, probability: 0.9 },
];

test('accept-above takes one class at or above the threshold, most confident first', () => {
  const plan = planAccept(suggestions, 0.9, 10);
  assert.deepEqual(
    plan.items.map((s) => s.imageId),
    [1, 5],
  );
  assert.deepEqual([...plan.perClass], [[10, 2]]);
});

test('without a class it takes every class, and counts each', () => {
  const plan = planAccept(suggestions, 0.8, null);
  assert.deepEqual(
    plan.items.map((s) => s.imageId),
    [1, 3, 5, 2],
  );
  assert.deepEqual([...plan.perClass].sort(), [
    [10, 3],
    [20, 1],
  ]);
  assert.equal(planAccept(suggestions, 1, null).items.length, 0);
  assert.throws(() => planAccept(suggestions, 1.5, null), /between 0 and 1, got 1.5/);
});
