import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plural } from '../../../src-shared/plural';
import { plural as rendererPlural } from '../../../src-renderer/lib/format';

test('one takes the word as given, any other count an s', () => {
  assert.equal(plural(1, 'image'), '1 image');
  assert.equal(plural(0, 'image'), '0 images');
  assert.equal(plural(2, 'near-duplicate cluster'), '2 near-duplicate clusters');
  assert.equal(plural(-1, 'problem'), '-1 problems');
});

test('the renderer words counts with the same function', () => {
  assert.equal(rendererPlural, plural);
});
