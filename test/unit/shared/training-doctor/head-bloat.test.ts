import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headBloat } from '../../../../src-shared/training-doctor/head-bloat';
import { headSize } from '../../../../src-shared/head-spec';
import { config, input } from './history';

test("seed 000's Flatten + 1024/512/256 on a 7x7x2048 map is restated with its size", () => {
  const head = {
    pooling: 'flatten' as const,
    l2: 0,
    layers: [1024, 512, 256].map((units) => ({ kind: 'dense' as const, units, activation: 'relu' as const })),
  };
  const c = config({ head });
  const [f] = headBloat(input({ config: c, classes: ['cat', 'dog'], featureShape: [7, 7, 2048] }));
  const size = headSize(c.head, [7, 7, 2048], 2);
  assert.equal(f?.evidence.figures.params, size.params);
  assert.ok(size.params > 100_000_000);
  assert.match(f!.evidence.text, /Flatten on a 7x7x2048/);
  assert.match(
    f!.action,
    /switch the pooling from Flatten to global average, and keep at most one small dense layer of Dense 1024 and Dense 512 and Dense 256/,
  );
});

test('a pooled head with one huge dense layer is told to shrink that layer, not to switch a pooling it already has', () => {
  const c = config({ head: { pooling: 'avg', layers: [{ kind: 'dense', units: 16384 }] } });
  const [f] = headBloat(input({ config: c, featureShape: [7, 7, 2048] }));
  assert.match(f!.action, /shrink Dense 16384 to 256 units or fewer/);
  assert.doesNotMatch(f!.action, /Flatten|pooling/);
});

test('the default pooled head is not bloated; without a feature shape nothing is said', () => {
  assert.deepEqual(headBloat(input({ featureShape: [7, 7, 1280] })), []);
  assert.deepEqual(headBloat(input({ featureShape: null })), []);
});
