import assert from 'node:assert/strict';
import { test } from 'node:test';
import { swingThreshold, unstableValidation } from '../../../../src-shared/training-doctor/unstable-validation';
import { config, healthy, history, input } from './history';

const swinging = (accs: number[], phase: 1 | 2 = 1) =>
  history(
    phase,
    accs.map((a) => ({ trainLoss: 0.5, trainAcc: 0.8, valLoss: 0.6, valAcc: a })),
  );

test('the threshold is two standard errors of a difference at the validation size', () => {
  assert.ok(Math.abs(swingThreshold(0.5, 200) - 2 * Math.sqrt(0.5 / 200)) < 1e-12);
  assert.ok(swingThreshold(0.5, 50) > swingThreshold(0.5, 5000));
});

test('seed 002: 70 % -> 30 % in phase 2 at a high learning rate names the learning rate', () => {
  const c = config({ phase2: { epochs: 4, unfreezeBlocks: 3, optimizer: { kind: 'sgd', lr: 0.1 } } });
  const epochs = [...healthy(4), ...swinging([0.6, 0.7, 0.3, 0.65], 2)];
  const [f] = unstableValidation(input({ epochs, config: c, splitSizes: { train: 4000, val: 1000, test: 1000 } }));
  assert.equal(f?.id, 'unstable-validation');
  assert.equal(f!.evidence.figures.swings, 1);
  assert.ok(Math.abs(f!.evidence.figures.worstDrop! - 0.4) < 1e-9);
  assert.deepEqual(f!.evidence.epochs, [
    { phase: 2, epoch: 1 },
    { phase: 2, epoch: 2 },
  ]);
  assert.match(f!.evidence.text, /learning rate 0\.1 is too high for 3 unfrozen/);
  assert.doesNotMatch(f!.evidence.text, /validation set of/);
  assert.match(f!.action, /Lower phase 2's learning rate/);
});

test("BatchNorm in 'train' and a small validation set are named when the run shows them", () => {
  const c = config({
    phase2: { epochs: 4, unfreezeBlocks: 1, batchNorm: 'train', optimizer: { kind: 'adam', lr: 1e-5 } },
  });
  const [f] = unstableValidation(
    input({ epochs: swinging([0.8, 0.2, 0.8, 0.2], 2), config: c, splitSizes: { train: 200, val: 40, test: 40 } }),
  );
  assert.equal(f?.severity, 'problem');
  assert.equal(f!.evidence.figures.swings, 2);
  assert.match(f!.evidence.text, /BatchNorm statistics/);
  assert.match(f!.evidence.text, /validation set of 40 images is small/);
  assert.doesNotMatch(f!.evidence.text, /too high/);
  assert.match(f!.action, /BatchNorm policy to 'frozen'/);
});

test('falls within sampling noise, rises, and phase boundaries are not swings', () => {
  // On 30 images a fall of 3.3 points (one image) is noise.
  assert.deepEqual(
    unstableValidation(input({ epochs: swinging([0.7, 0.667, 0.7]), splitSizes: { train: 100, val: 30, test: 30 } })),
    [],
  );
  assert.deepEqual(unstableValidation(input({ epochs: swinging([0.3, 0.7, 0.9]) })), []);
  assert.deepEqual(unstableValidation(input({ epochs: [...swinging([0.9]), ...swinging([0.5], 2)] })), []);
  assert.deepEqual(unstableValidation(input({ epochs: healthy() })), []);
});

test('phase 2 at a high learning rate with no measurable fall is still named as a risk', () => {
  const c = config({ phase2: { epochs: 2, unfreezeBlocks: 1, optimizer: { kind: 'sgd', lr: 0.1 } } });
  const [f] = unstableValidation(
    input({
      epochs: [...healthy(3), ...swinging([0.7, 0.7], 2)],
      config: c,
      splitSizes: { train: 24, val: 9, test: 12 },
    }),
  );
  assert.equal(f?.id, 'unstable-validation/risk');
  assert.equal(f!.evidence.figures.lr, 0.1);
  assert.match(f!.evidence.text, /9 validation images hide falls/);
  const calm = config({ phase2: { epochs: 2, unfreezeBlocks: 1, optimizer: { kind: 'adam', lr: 1e-5 } } });
  assert.deepEqual(
    unstableValidation(input({ epochs: [...healthy(3), ...swinging([0.7, 0.7], 2)], config: calm })),
    [],
  );
});
