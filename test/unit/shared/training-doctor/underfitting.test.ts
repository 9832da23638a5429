import assert from 'node:assert/strict';
import { test } from 'node:test';
import { underfitting } from '../../../../src-shared/training-doctor/underfitting';
import { config, healthy, history, input } from './history';

/** A phase 1 that levelled off at 75 %, for phase 2 to go on from. */
const levelled = history(
  1,
  Array.from({ length: 6 }, () => ({ trainLoss: 0.7, trainAcc: 0.75, valLoss: 0.72, valAcc: 0.74 })),
);

test('a run ending with training loss still falling and accuracy at 62 % is underfitting', () => {
  const epochs = history(
    1,
    Array.from({ length: 20 }, (_, i) => ({
      trainLoss: 1.5 - 0.04 * i,
      trainAcc: 0.3 + 0.017 * i,
      valLoss: 1.5 - 0.035 * i,
      valAcc: 0.3 + 0.015 * i,
    })),
  );
  const [f, ...rest] = underfitting(
    input({ epochs, config: config({ phase1: { epochs: 20, optimizer: { kind: 'adam', lr: 1e-4 } } }) }),
  );
  assert.equal(rest.length, 0);
  assert.equal(f!.id, 'underfitting');
  assert.equal(f!.severity, 'problem', 'training accuracy below 70 % is a problem');
  assert.deepEqual(f!.evidence.epochs, [
    { phase: 1, epoch: 17 },
    { phase: 1, epoch: 18 },
    { phase: 1, epoch: 19 },
  ]);
  assert.ok(Math.abs(f!.evidence.figures.trainAcc! - 0.623) < 1e-9);
  assert.ok(f!.evidence.figures.lossFallPerEpoch! > 0.02);
  assert.match(f!.evidence.text, /ran 20 of 20 epochs/);
  assert.match(f!.evidence.text, /still falling/);
  assert.match(f!.action, /more than 20 epochs/);
  assert.match(f!.action, /1e-4|0\.0001/);
});

test('a single epoch at a tiny learning rate is underfitting by its low training accuracy', () => {
  const epochs = history(1, [{ trainLoss: 1.1, trainAcc: 0.36, valLoss: 1.1, valAcc: 0.33 }]);
  const [f] = underfitting(input({ epochs }));
  assert.equal(f?.severity, 'problem');
  assert.match(f!.evidence.text, /training accuracy 36\.0 %/);
});

test('a healthy run that levelled off, and a run still training, are not underfitting', () => {
  assert.deepEqual(underfitting(input({ epochs: healthy() })), []);
  assert.deepEqual(underfitting(input({ epochs: history(1, [{ trainLoss: 1.1, trainAcc: 0.36 }]), final: false })), []);
});

test('a rising phase 2 is judged on phase 2, not on a levelled phase 1', () => {
  const p2 = history(2, [
    { trainLoss: 0.5, trainAcc: 0.8 },
    { trainLoss: 0.4, trainAcc: 0.84 },
    { trainLoss: 0.3, trainAcc: 0.88 },
  ]);
  const [f] = underfitting(
    input({
      epochs: [...levelled, ...p2],
      config: config({ phase2: { epochs: 3, unfreezeBlocks: 1, optimizer: { kind: 'adam', lr: 1e-5 } } }),
    }),
  );
  // 88 % and climbing is well fitted: more epochs may add a little, which is a note, not a mistake.
  assert.equal(f?.severity, 'info');
  assert.match(f!.title, /^Still improving at the end: phase 2, epoch 3/);
  assert.deepEqual(
    f!.evidence.epochs.map((e) => e.phase),
    [2, 2, 2],
  );
});

test('a phase whose validation loss turned up is overfitting, never also underfitting', () => {
  // Training still falls fast at the end and accuracy is low, but validation loss bottomed at epoch 3 and rose 30 %.
  const p2 = history(
    2,
    Array.from({ length: 7 }, (_, i) => ({
      trainLoss: 1.2 - 0.1 * i,
      trainAcc: 0.4 + 0.04 * i,
      valLoss: i <= 2 ? 1 - 0.1 * i : 0.8 + 0.06 * (i - 2),
      valAcc: 0.5,
    })),
  );
  const c = config({ phase2: { epochs: 7, unfreezeBlocks: 1, optimizer: { kind: 'adam', lr: 1e-5 } } });
  assert.deepEqual(underfitting(input({ epochs: [...healthy(), ...p2], config: c })), []);
});

test('training still falling while validation has levelled off is not underfitting', () => {
  const epochs = history(
    1,
    Array.from({ length: 20 }, (_, i) => ({
      trainLoss: 1 - 0.04 * i,
      trainAcc: 0.75 + 0.01 * i,
      valLoss: 0.6,
      valAcc: 0.8,
    })),
  );
  assert.deepEqual(
    underfitting(input({ epochs, config: config({ phase1: { epochs: 20, optimizer: { kind: 'adam', lr: 1e-3 } } }) })),
    [],
  );
});

test('advice fits the head and the phase: no hidden layer for a head that has one, no learning-rate finder for phase 2', () => {
  const low = history(
    1,
    Array.from({ length: 10 }, (_, i) => ({
      trainLoss: 2 - 0.1 * i,
      trainAcc: 0.2 + 0.03 * i,
      valLoss: 2 - 0.1 * i,
      valAcc: 0.2 + 0.03 * i,
    })),
  );
  const dense = config({
    head: {
      layers: [
        { kind: 'dropout', rate: 0.2 },
        { kind: 'dense', units: 64 },
      ],
    },
    phase1: { epochs: 10, optimizer: { kind: 'adam', lr: 1e-5 } },
  });
  const f = underfitting(input({ epochs: low, config: dense }))[0]!;
  assert.equal(f.severity, 'problem', 'low and still improving');
  assert.match(f.title, /phase 1 ended at epoch 10/);
  // Still climbing at 1e-5: the learning rate and the epochs hold it back, not the head's size.
  assert.equal(
    f.action,
    "Raise phase 1's learning rate above 0.00001 (the learning-rate finder, which serves phase 1, suggests one), or train longer (more than 10 epochs in phase 1).",
  );

  // Levelled off at 60 % with a usual learning rate: capacity, named from what the head has.
  const flat = history(
    1,
    Array.from({ length: 10 }, () => ({ trainLoss: 1.1, trainAcc: 0.6, valLoss: 1.1, valAcc: 0.58 })),
  );
  const usual = { epochs: 10, optimizer: { kind: 'adam' as const, lr: 1e-3 } };
  const widen = underfitting(input({ epochs: flat, config: config({ ...dense, phase1: usual }) }))[0]!;
  assert.equal(widen.severity, 'warning');
  assert.match(widen.action, /widen the head's Dense 64/);
  assert.doesNotMatch(widen.action, /hidden dense layer|learning rate/);
  const bare = underfitting(input({ epochs: flat, config: config({ head: { layers: [] }, phase1: usual }) }))[0]!;
  assert.match(bare.action, /give the head a hidden dense layer/);
  // A head the editor already warns about (Flatten on a 7x7x1280 map into Dense 1024) is never grown.
  const big = config({
    head: { pooling: 'flatten', layers: [{ kind: 'dense', units: 1024 }] },
    phase1: usual,
  });
  const bloated = underfitting(input({ epochs: flat, config: big, featureShape: [7, 7, 1280] }))[0]!;
  assert.doesNotMatch(bloated.action, /widen|hidden dense/);

  const p2 = history(
    2,
    Array.from({ length: 5 }, (_, i) => ({
      trainLoss: 1 - 0.08 * i,
      trainAcc: 0.76 + 0.02 * i,
      valLoss: 1 - 0.08 * i,
      valAcc: 0.6 + 0.02 * i,
    })),
  );
  const c2 = config({ phase2: { epochs: 5, unfreezeBlocks: 2, optimizer: { kind: 'adam', lr: 1e-5 } } });
  const g = underfitting(input({ epochs: [...levelled, ...p2], config: c2 }))[0]!;
  assert.match(
    g.action,
    /raise phase 2's learning rate from 0\.00001 towards 1e-4 \(the learning-rate finder serves phase 1 only\)/,
  );
  assert.doesNotMatch(g.action, /hidden dense/);
});

test('a phase 2 that ends below phase 1 diverged (SGD 0.1): not underfitting, whose advice would be to unfreeze more', () => {
  const p2 = history(
    2,
    Array.from({ length: 6 }, (_, i) => ({
      trainLoss: 140 - 10 * i,
      trainAcc: 0.35,
      valLoss: 100 - 8 * i,
      valAcc: 0.33,
    })),
  );
  const c = config({ phase2: { epochs: 6, unfreezeBlocks: 1, optimizer: { kind: 'sgd', lr: 0.1 } } });
  assert.deepEqual(underfitting(input({ epochs: [...healthy(), ...p2], config: c })), []);
});

test('near the ceiling, validation loss still easing but validation accuracy no longer rising is not underfitting', () => {
  const epochs = history(
    1,
    Array.from({ length: 20 }, (_, i) => ({
      trainLoss: 0.3 * 0.9 ** i,
      trainAcc: Math.min(0.99, 0.8 + 0.02 * i),
      valLoss: 0.3 * 0.96 ** i,
      valAcc: Math.min(0.983, 0.8 + 0.02 * i),
    })),
  );
  assert.deepEqual(
    underfitting(input({ epochs, config: config({ phase1: { epochs: 20, optimizer: { kind: 'adam', lr: 1e-3 } } }) })),
    [],
  );
});

/** The corpus' healthy-textures run (bench/doctor, 2026-12-07): its last three epochs and its parity check. */
const textures = history(
  1,
  [
    { trainLoss: 0.205, trainAcc: 0.912, valLoss: 0.176, valAcc: 0.942 },
    { trainLoss: 0.204, trainAcc: 0.929, valLoss: 0.171, valAcc: 0.942 },
    { trainLoss: 0.182, trainAcc: 0.933, valLoss: 0.164, valAcc: 0.95 },
  ],
  17,
);

test('a healthy default run still easing at 20 of 20 epochs (the corpus false alarm) is a note, not underfitting', () => {
  const early = healthy(17).map((m) => ({ ...m, valAcc: Math.min(m.valAcc!, 0.93), valLoss: m.valLoss! + 0.2 }));
  const epochs = [...early, ...textures];
  const c = config({ phase1: { epochs: 20, optimizer: { kind: 'adam', lr: 1e-3 } } });
  const [f] = underfitting(input({ epochs, config: c, parity: [{ phase: 1, reported: 0.933, inference: 0.967 }] }));
  assert.equal(f?.severity, 'info');
  assert.doesNotMatch(f!.title, /Underfitting/);
  assert.equal(f!.evidence.figures.fittedAcc, 0.967, 'judged on the inference-mode training accuracy');
  assert.match(f!.action, /^More epochs may add a little: train longer \(more than 20 epochs in phase 1\)\.$/);
});

test('two epochs at 43 % reported, 60 % in inference mode, is underfitting judged on the inference figure', () => {
  const epochs = history(1, [
    { trainLoss: 2.178, trainAcc: 0.346, valLoss: 1.4, valAcc: 0.433 },
    { trainLoss: 1.443, trainAcc: 0.429, valLoss: 1.007, valAcc: 0.558 },
  ]);
  const c = config({ phase1: { epochs: 2, optimizer: { kind: 'adam', lr: 1e-3 } } });
  const [f] = underfitting(input({ epochs, config: c, parity: [{ phase: 1, reported: 0.429, inference: 0.596 }] }));
  assert.equal(f?.severity, 'problem');
  assert.match(f!.title, /training accuracy low \(59\.6 %\)/);
  assert.match(f!.evidence.text, /59\.6 % at the last epoch \(in inference mode\)/);
  assert.equal(f!.action, 'Train longer (more than 2 epochs in phase 1).');
});
