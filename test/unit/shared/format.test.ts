import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatMemory } from '../../../src-shared/format';

test('file sizes in decimal units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1025), '1.0 kB');
  assert.equal(formatBytes(54_283), '54 kB');
  assert.equal(formatBytes(2_700_000_000), '2.7 GB');
});

test('memory in binary units', () => {
  assert.equal(formatMemory(3 * 2 ** 30), '3.0 GiB');
  assert.equal(formatMemory(5 * 2 ** 20), '5.0 MiB');
});
