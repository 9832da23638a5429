import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overfitting } from '../../../../src-shared/training-doctor/overfitting';
import { config, healthy, history, input } from './history';

// Validation loss bottoms out at epoch 4, then climbs while training loss keeps falling.
const overfit = history(
  1,
  Array.from({ length: 12 }, (_, i) => ({
    trainLoss: 1 - 0.07 * i,
    trainAcc: 0.6 + 0.03 * i,
    valLoss: i <= 4 ? 1 - 0.1 * i : 0.6 + 0.08 * (i - 4),
    valAcc: i <= 4 ? 0.6 + 0.05 * i : 0.8 - 0.01 * (i - 4),
  })),
);

test('finds the onset at the lowest validation loss and the gap at the best epoch', () => {
  const [f, ...rest] = overfitting(input({ epochs: overfit }));
  assert.equal(rest.length, 0);
  assert.equal(f!.id, 'overfitting');
  assert.equal(f!.evidence.figures.onsetEpoch, 5, 'the fifth epoch, as the charts number it');
  assert.ok(Math.abs(f!.evidence.figures.valLossRise! - (0.6 + 0.56 - 0.6) / 0.6) < 1e-9);
  // Best validation accuracy is at epoch 4 too: train 0.72 vs val 0.80.
  assert.ok(Math.abs(f!.evidence.figures.gapAtBest! - (0.72 - 0.8)) < 1e-9);
  assert.deepEqual(f!.evidence.epochs[0], { phase: 1, epoch: 4 });
  assert.match(f!.title, /from phase 1, epoch 5:/);
  assert.match(f!.evidence.text, /lowest at phase 1, epoch 5 .* by phase 1, epoch 12/);
  assert.match(f!.action, /Turn on early stopping/);
});

test('with early stopping restoring the best epoch, the action says so', () => {
  const c = config({
    phase1: {
      epochs: 12,
      optimizer: { kind: 'adam', lr: 0.001 },
      earlyStopping: { monitor: 'valLoss', patience: 7, restoreBest: true },
    },
  });
  const [f] = overfitting(input({ epochs: overfit, config: c }));
  assert.match(f!.action, /Early stopping is on .* restores its best epoch/);
  assert.equal(f!.severity, 'info', 'the kept weights are from before the turn, and validation beats training there');
  assert.match(f!.evidence.text, /validation accuracy exceeds training by 8\.0 points/);
});

test('restored best weights that are themselves overfit (a 20-point gap) still count', () => {
  const c = config({
    phase1: {
      epochs: 12,
      optimizer: { kind: 'adam', lr: 0.001 },
      earlyStopping: { monitor: 'valLoss', patience: 7, restoreBest: true },
    },
  });
  const wide = overfit.map((m) => ({ ...m, trainAcc: Math.min(1, (m.valAcc ?? 0) + 0.2) }));
  const [f] = overfitting(input({ epochs: wide, config: c }));
  assert.equal(f!.severity, 'problem', 'validation loss rose over 50 %');
  assert.match(f!.evidence.text, /training accuracy exceeds validation by 20\.0 points/);
});

test('a healthy run, and one where training loss rises too, are not overfitting', () => {
  assert.deepEqual(overfitting(input({ epochs: healthy() })), []);
  const bothUp = history(
    1,
    [1, 0.8, 0.7, 0.75, 0.8, 0.9].map((v) => ({ trainLoss: v, trainAcc: 0.7, valLoss: v + 0.1, valAcc: 0.6 })),
  );
  assert.deepEqual(overfitting(input({ epochs: bothUp })), []);
});

test('a one-epoch bump within 5 % is not an onset', () => {
  const bump = history(
    1,
    [1, 0.8, 0.7, 0.71, 0.72].map((v, i) => ({ trainLoss: 1 - 0.1 * i, trainAcc: 0.7, valLoss: v, valAcc: 0.6 })),
  );
  assert.deepEqual(overfitting(input({ epochs: bump })), []);
});

test('the advice names only remedies this run has not used', () => {
  const bare = overfitting(input({ epochs: overfit, config: config({ head: { layers: [] } }) }))[0]!;
  assert.match(bare.action, /turn on augmentation/);
  assert.match(bare.action, /add a dropout layer/);
  assert.doesNotMatch(bare.action, /smaller/, 'a head without dense layers has nothing to shrink');
  const big = config({
    head: {
      layers: [
        { kind: 'dense', units: 512 },
        { kind: 'dropout', rate: 0.2 },
      ],
    },
    augment: {},
  });
  const f = overfitting(input({ epochs: overfit, config: big }))[0]!;
  assert.match(f.action, /make the head smaller \(it has Dense 512\)/);
  assert.match(f.action, /raise the head's dropout from 0\.2 to 0\.5/);
  assert.doesNotMatch(f.action, /augmentation|add a dropout/, 'augmentation is on and dropout is there');
});
