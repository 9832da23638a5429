import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchnormParity } from '../../../../src-shared/doctor/batchnorm-parity';
import { config, input } from './history';

test("a 30-point gap after phase 2 with BatchNorm 'train' names the policy", () => {
  const c = config({ phase2: { epochs: 5, unfreezeBlocks: 2, batchNorm: 'train', batchSize: 8, optimizer: { kind: 'adam', lr: 1e-5 } } });
  const [f, ...rest] = batchnormParity(input({ config: c, parity: [{ phase: 1, reported: 0.9, inference: 0.89 }, { phase: 2, reported: 0.95, inference: 0.65 }] }));
  assert.equal(rest.length, 0, 'phase 1 agrees');
  assert.equal(f!.id, 'batchnorm-parity/p2');
  assert.equal(f!.severity, 'problem');
  assert.ok(Math.abs(f!.evidence.figures.difference! - 0.3) < 1e-9);
  assert.match(f!.evidence.text, /'train' policy\) on batches of 8/);
  assert.match(f!.action, /'frozen'/);
});

test('agreement within 5 points or within sampling noise, or nothing measured, says nothing', () => {
  assert.deepEqual(batchnormParity(input({ parity: [{ phase: 1, reported: 0.9, inference: 0.87 }] })), []);
  assert.deepEqual(batchnormParity(input({ splitSizes: { train: 20, val: 5, test: 5 }, parity: [{ phase: 1, reported: 0.6, inference: 0.5 }] })), []);
  assert.deepEqual(batchnormParity(input()), []);
});
