// Rows held in one block: every (example, view) reads back as it went in, and a batch
// tensor takes the views asked for, in the order asked for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockRows, batchTensor, range, rowOf } from '../../../../src-training/data/batches';

const row = (i: number, slot: number) => Float32Array.from({ length: 6 }, (_, k) => i * 100 + slot * 10 + k);
const values = range(0, 4).map((i) => [row(i, 0), row(i, 1), row(i, 2)]);

test('block rows keep every view of every example', () => {
  const rows = BlockRows.of([2, 3], values);
  assert.equal(rows.size, 4);
  assert.equal(rows.views, 3);
  assert.equal(rows.block.length, 4 * 3 * 6);
  for (const i of range(0, 4)) for (const slot of [0, 1, 2]) assert.deepEqual(rowOf(rows, i, slot), row(i, slot));
});

test('a batch tensor takes the views asked for, view 0 when none is given', () => {
  const rows = BlockRows.of([2, 3], values);
  const x = batchTensor(rows, [3, 0], [2, 1]);
  assert.deepEqual(x.shape, [2, 2, 3]);
  assert.deepEqual(Array.from(x.dataSync()), [...row(3, 2), ...row(0, 1)]);
  x.dispose();
  const y = batchTensor(rows, [1]);
  assert.deepEqual(Array.from(y.dataSync()), Array.from(row(1, 0)));
  y.dispose();
});

test('rows of uneven views are refused', () => {
  assert.throws(() => BlockRows.of([6], [[row(0, 0)], [row(1, 0), row(1, 1)]]), /example 1 has 2 views, not 1/);
  assert.throws(() => new BlockRows([6], 2, new Float32Array(18)), /do not split into rows of 2 x 6/);
  assert.deepEqual(range(2, 2), []);
});
