import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchnormParity } from '../../../../src-shared/training-doctor/batchnorm-parity';
import { config, input } from './history';

test("a 30-point gap after phase 2 with BatchNorm 'train' names the policy", () => {
  const c = config({
    phase2: { epochs: 5, unfreezeBlocks: 2, batchNorm: 'train', batchSize: 8, optimizer: { kind: 'adam', lr: 1e-5 } },
  });
  const [f, ...rest] = batchnormParity(
    input({
      config: c,
      parity: [
        { phase: 1, reported: 0.9, inference: 0.89 },
        { phase: 2, reported: 0.95, inference: 0.65 },
      ],
    }),
  );
  assert.equal(rest.length, 0, 'phase 1 agrees');
  assert.equal(f!.id, 'batchnorm-parity/p2');
  assert.equal(f!.severity, 'problem');
  assert.ok(Math.abs(f!.evidence.figures.difference! - 0.3) < 1e-9);
  assert.match(f!.evidence.text, /'train' policy\) on batches of 8/);
  assert.match(f!.action, /'frozen'/);
});

test('agreement within 5 points, or nothing measured, says nothing', () => {
  assert.deepEqual(batchnormParity(input({ parity: [{ phase: 1, reported: 0.9, inference: 0.87 }] })), []);
  assert.deepEqual(batchnormParity(input()), []);
});

test('a dropout-only head: the gap is dropout, an info note that never says remove BatchNorm', () => {
  // The head: Dropout 0.2 and Dense 64, no BatchNorm anywhere; an 11.9-point gap.
  const c = config({
    head: {
      layers: [
        { kind: 'dropout', rate: 0.2 },
        { kind: 'dense', units: 64 },
      ],
    },
  });
  const [f, ...rest] = batchnormParity(input({ config: c, parity: [{ phase: 1, reported: 0.8, inference: 0.919 }] }));
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'info');
  assert.match(f!.title, /11\.9 points above what training reported/);
  assert.match(f!.evidence.text, /No BatchNorm layer trains on batch statistics in phase 1/);
  assert.match(f!.evidence.text, /dropout \(rate 0\.2\)/);
  assert.doesNotMatch(f!.action, /BatchNorm/);
});

test('phase 2 with frozen BatchNorm and no BatchNorm in the head is a note too', () => {
  const c = config({
    phase2: { epochs: 5, unfreezeBlocks: 2, batchNorm: 'frozen', batchSize: 8, optimizer: { kind: 'adam', lr: 1e-5 } },
  });
  const [f] = batchnormParity(input({ config: c, parity: [{ phase: 2, reported: 0.7, inference: 0.85 }] }));
  assert.equal(f!.severity, 'info');
});

test('BatchNorm in the head with batch 4 is a problem whose action names that layer and the batch size', () => {
  const c = config({
    head: { layers: [{ kind: 'batchnorm' }] },
    phase1: { epochs: 12, batchSize: 4, optimizer: { kind: 'adam', lr: 0.001 } },
  });
  const [f] = batchnormParity(input({ config: c, parity: [{ phase: 1, reported: 0.95, inference: 0.7 }] }));
  assert.equal(f!.severity, 'problem');
  assert.match(f!.title, /25\.0 points below/);
  assert.match(f!.evidence.text, /the head's BatchNorm layer normalises batches of 4/);
  assert.match(f!.action, /Remove the BatchNorm layer from the head or raise phase 1's batch size from 4 to 32/);
  assert.doesNotMatch(f!.action, /'frozen'/, 'phase 1 has no BatchNorm policy');
});

test("on a small training set the same images are counted twice, so a 10-point gap under phase 2's 'train' policy is not waved off as noise", () => {
  const c = config({
    phase2: { epochs: 6, unfreezeBlocks: 1, batchNorm: 'train', batchSize: 4, optimizer: { kind: 'adam', lr: 1e-4 } },
  });
  const [f] = batchnormParity(
    input({
      config: c,
      splitSizes: { train: 48, val: 60, test: 60 },
      parity: [{ phase: 2, reported: 0.813, inference: 0.917 }],
    }),
  );
  assert.equal(f?.severity, 'problem');
  assert.match(f!.action, /'frozen'/);
});
