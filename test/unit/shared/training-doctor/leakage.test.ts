import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leakage } from '../../../../src-shared/training-doctor/leakage';
import { input } from './history';

test('straddling clusters are counted with a link to the Health page', () => {
  const [f] = leakage(input({ leakage: { clusters: 3, images: 7 } }));
  assert.equal(f?.severity, 'problem');
  assert.equal(f!.link, 'health');
  assert.deepEqual(f!.evidence.figures, { clusters: 3, images: 7 });
  assert.match(f!.title, /^3 near-duplicate clusters straddle/);
});

test('no straddling clusters, or no leakage check, say nothing', () => {
  assert.deepEqual(leakage(input({ leakage: { clusters: 0, images: 0 } })), []);
  assert.deepEqual(leakage(input()), []);
});
