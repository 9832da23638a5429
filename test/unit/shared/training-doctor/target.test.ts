import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstMeeting, target } from '../../../../src-shared/training-doctor/target';
import { config, history, input } from './history';

// Seed 003's target: validation above 85 % while training stays below 92 %.
const goal = { valAbove: 0.85, trainBelow: 0.92 };
const epochs = history(1, [
  { trainLoss: 1, trainAcc: 0.8, valLoss: 1, valAcc: 0.8 },
  { trainLoss: 0.8, trainAcc: 0.9, valLoss: 0.8, valAcc: 0.86 },
  { trainLoss: 0.6, trainAcc: 0.95, valLoss: 0.7, valAcc: 0.88 },
]);

test('the first epoch meeting both bounds is named', () => {
  assert.equal(firstMeeting(epochs, goal)?.epoch, 1);
  const [f] = target(input({ epochs, config: config({ target: goal }) }));
  assert.equal(f?.severity, 'info');
  assert.match(f!.title, /Target met at phase 1, epoch 2: validation above 85\.0 % while training below 92\.0 %/);
  assert.equal(f!.evidence.figures.epochsMeeting, 1);
  assert.equal(f!.evidence.figures.epoch, 2, '1-based within the phase, as the charts number it');
  assert.deepEqual(f!.evidence.epochs, [{ phase: 1, epoch: 1 }], 'the reference stays the stored index');
});

test('a target never met is a warning at the end, info while training; no target, no finding', () => {
  const hard = config({ target: { valAbove: 0.95 } });
  assert.equal(target(input({ epochs, config: hard }))[0]?.severity, 'warning');
  assert.equal(target(input({ epochs, config: hard, final: false }))[0]?.severity, 'info');
  assert.match(target(input({ epochs, config: hard }))[0]!.title, /not met/);
  assert.deepEqual(target(input({ epochs })), []);
  assert.equal(firstMeeting(epochs, {}), null);
});
