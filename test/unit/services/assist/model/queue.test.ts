import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelQueue } from '../../../../../src-main/services/assist/model/queue';

test('the queue puts the most uncertain first and does not let near-duplicates crowd the front', () => {
  // Rows 0-9: one tight cluster, all very uncertain; rows 10-14: spread out, a little less so; row 15: confident.
  const d = 2;
  const x = new Float32Array(16 * d);
  for (let i = 0; i < 10; i++) x.set([0.001 * i, 0], i * d);
  for (let i = 10; i < 15; i++) x.set([10 * (i - 9), 5 * (i % 2)], i * d);
  x.set([-50, -50], 15 * d);
  const margins = Float32Array.from({ length: 16 }, (_, i) => (i < 10 ? 0.01 + i * 0.001 : i < 15 ? 0.1 : 0.9));
  const rows = Int32Array.from({ length: 16 }, (_, i) => i);
  const order = labelQueue({ features: { x, d }, rows, margins, count: 5, poolFactor: 3 });
  assert.equal(order.length, 5);
  assert.equal(order[0], 0, 'the most uncertain comes first');
  assert.equal(order.filter((i) => i < 10).length, 1, `one from the near-duplicate cluster: ${order}`);
  assert.ok(!order.includes(15), 'a confident image is not in the queue');
});

test('with only duplicates left it still fills the queue, by uncertainty, without repeats', () => {
  const x = new Float32Array(8);
  const margins = Float32Array.from([0.4, 0.1, 0.3, 0.2]);
  const order = labelQueue({ features: { x, d: 2 }, rows: Int32Array.from([0, 1, 2, 3]), margins, count: 4 });
  assert.deepEqual(order, [1, 3, 2, 0]);
});
