import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-node-shared/backend';
import { buildHead } from '../../../src-training/head';
import { fit, evaluate } from '../../../src-training/trainer';
import type { FitArgs } from '../../../src-training/trainer';
import { EarlyStopping } from '../../../src-training/callbacks/early-stopping';
import { BestCheckpoint } from '../../../src-training/callbacks/checkpoint';
import { MemorySink, MetricsRecorder } from '../../../src-training/callbacks/metrics-sink';
import { Progress } from '../../../src-training/callbacks/progress';
import type { Callback, WeightSnapshot } from '../../../src-training/callbacks/types';
import { HeadSpec } from '../../../src-shared/head-spec';
import type { HeadSpecInput } from '../../../src-shared/head-spec';
import { FitConfig, EarlyStoppingSpec } from '../../../src-shared/engine-config';
import type { FitConfigInput } from '../../../src-shared/engine-config';
import { evalSet, fakeClock, trainSet } from './fixtures';

before(async () => {
  await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
});

const DIM = 12;

function args(over: {
  classes?: number;
  head?: HeadSpecInput;
  config?: Partial<FitConfigInput>;
  seed?: number;
  callbacks?: Callback[];
  signal?: AbortSignal;
}): FitArgs {
  const classes = over.classes ?? 3;
  const spec = HeadSpec.parse(
    over.head ?? {
      layers: [
        { kind: 'dense', units: 16 },
        { kind: 'dropout', rate: 0.3 },
      ],
    },
  );
  // Phase 1 trains `top` on 1x1 "feature maps", i.e. vectors of DIM values.
  const head = buildHead(spec, [1, 1, DIM], classes, 'single', { seed: over.seed ?? 1 });
  return {
    phase: 1,
    model: head.top,
    head,
    classes,
    train: trainSet(120, classes, DIM, 11),
    val: evalSet(60, classes, DIM, 12),
    config: FitConfig.parse({ epochs: 4, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, ...over.config }),
    seed: over.seed ?? 1,
    callbacks: over.callbacks,
    clock: fakeClock(),
    signal: over.signal,
  };
}

test('the head learns separable classes and reports per-class metrics', async () => {
  const sink = new MemorySink();
  const res = await fit(args({ config: { epochs: 6 }, callbacks: [new MetricsRecorder(sink)] }));
  assert.equal(res.stopReason.kind, 'completed');
  assert.equal(sink.epochs.length, 6);
  const last = sink.epochs.at(-1)!;
  assert.ok(last.valAcc! > 0.9, `val accuracy ${last.valAcc}`);
  assert.ok(last.valLoss! < sink.epochs[0]!.valLoss!);
  assert.equal(last.perClass.length, 3);
  assert.equal(
    last.confusion.flat().reduce((a, b) => a + b, 0),
    60,
  );
  assert.equal(last.epochMs, 10, 'epoch time comes from the injected clock');
});

test('same seed and data give the same metrics; another seed does not', async () => {
  const a = await fit(args({ seed: 5 }));
  const b = await fit(args({ seed: 5 }));
  const c = await fit(args({ seed: 6 }));
  assert.deepEqual(a.epochs, b.epochs);
  assert.notDeepEqual(
    a.epochs.map((e) => e.trainLoss),
    c.epochs.map((e) => e.trainLoss),
  );
});

test('tensor count does not grow from epoch to epoch', async () => {
  const counts: number[] = [];
  const probe: Callback = { name: 'probe', onEpochEnd: () => void counts.push(tf.memory().numTensors) };
  const stopper = new EarlyStopping(EarlyStoppingSpec.parse({ patience: 100 }));
  const ckpt = new BestCheckpoint('valAcc', () => {});
  await fit(
    args({
      config: { epochs: 5, classWeights: 'balanced', schedule: { kind: 'cosine', warmupEpochs: 1 } },
      head: { layers: [{ kind: 'dense', units: 8 }, { kind: 'batchnorm' }, { kind: 'dropout', rate: 0.2 }], l2: 1e-3 },
      callbacks: [stopper, ckpt, probe],
    }),
  );
  assert.equal(counts.length, 5);
  assert.ok(
    counts.every((n) => n === counts[0]),
    `tensors per epoch: ${counts.join(', ')}`,
  );
});

test('accuracy on 7 classes starts near chance, not at 6/7 (seed 001)', async () => {
  const res = await fit(args({ classes: 7, config: { epochs: 1, optimizer: { kind: 'sgd', lr: 1e-9 } } }));
  const acc = res.epochs[0]!.valAcc!;
  assert.ok(acc < 0.5, `untrained 7-class accuracy ${acc} looks like binary accuracy on one-hot labels`);
  assert.notEqual(acc, 6 / 7);
});

test('early stopping stops on a plateau and restores the best epoch', async () => {
  // Validation labels that carry no signal: validation loss gets worse as the head fits.
  const a = args({ config: { epochs: 30, optimizer: { kind: 'adam', lr: 0.05 } } });
  a.val = { ...a.val!, labels: a.val!.labels.map((l, i) => (l + (i % 2) + 1) % 3) };
  const stopper = new EarlyStopping(EarlyStoppingSpec.parse({ monitor: 'valLoss', patience: 2, restoreBest: true }));
  const res = await fit({ ...a, callbacks: [stopper] });
  assert.equal(res.stopReason.kind, 'stopped');
  assert.ok(res.epochs.length < 30);
  const best = res.epochs[stopper.bestEpoch]!;
  // In the run's words: the value to 4 digits, the epoch counted from 1 within its phase.
  const reason = res.stopReason.kind === 'stopped' ? res.stopReason.reason : '';
  assert.equal(
    reason,
    `val loss did not improve for 2 epochs, the patience (best ${Number(best.valLoss!.toPrecision(4))}, at phase 1, epoch ${stopper.bestEpoch + 1})`,
  );
  // Patience 2: two epochs after the best one, no more.
  assert.equal(res.epochs.length, stopper.bestEpoch + 3);
  assert.equal(Math.min(...res.epochs.map((e) => e.valLoss!)), best.valLoss);
  const now = await evaluate(a.model, a.val!, 3);
  assert.ok(
    Math.abs(now.loss - best.valLoss!) < 1e-5,
    `restored weights give ${now.loss}, best epoch had ${best.valLoss}`,
  );
});

test('the best checkpoint holds only the trained model, at its best epoch', async () => {
  let saved: WeightSnapshot | null = null;
  const ckpt = new BestCheckpoint('valAcc', (w) => void (saved = w));
  const a = args({ config: { epochs: 3 }, callbacks: [ckpt] });
  await fit(a);
  assert.ok(ckpt.savedEpoch >= 0);
  assert.deepEqual([...saved!.keys()].sort(), a.model.weights.map((w) => w.originalName).sort());
});

test('cancellation is typed and ends the run at the next batch', async () => {
  const ctrl = new AbortController();
  const batches: number[] = [];
  const progress = new Progress((i) => {
    batches.push(i.batch);
    if (i.epoch === 1 && i.batch === 2) ctrl.abort();
  }, 0);
  const res = await fit(args({ config: { epochs: 5 }, callbacks: [progress], signal: ctrl.signal }));
  assert.deepEqual(res.stopReason, { kind: 'cancelled' });
  assert.equal(res.epochs.length, 1);
});

test('a cancel that comes while validating ends the fit there, without that epoch', async () => {
  const ctrl = new AbortController();
  // The last batch of epoch 1 ends, then validation starts: the cancel is heard between its batches.
  const progress = new Progress(
    (i) => void (i.epoch === 1 && i.batch === i.batches - 1 && setImmediate(() => ctrl.abort())),
    0,
  );
  const res = await fit(args({ config: { epochs: 5 }, callbacks: [progress], signal: ctrl.signal }));
  assert.deepEqual(res.stopReason, { kind: 'cancelled' });
  assert.equal(res.epochs.length, 1);
});

test('the learning-rate range test returns a curve, a suggestion, and the weights untouched', async () => {
  const { lrRangeTest } = await import('../../../src-training/lr/lr-finder');
  const a = args({});
  const before = a.model.getWeights().map((w) => Array.from(w.dataSync()));
  const tensors = tf.memory().numTensors;
  const res = await lrRangeTest({
    model: a.model,
    head: a.head,
    classes: 3,
    train: a.train,
    optimizer: { kind: 'sgd', lr: 1, momentum: 0.9, nesterov: false },
    steps: 60,
    minLr: 1e-5,
    maxLr: 10,
    seed: 1,
  });
  assert.ok(res.curve.length > 20);
  assert.ok(res.curve.every((p, i) => i === 0 || p.lr > res.curve[i - 1]!.lr));
  assert.ok(res.suggestion !== null && res.suggestion > 1e-4 && res.suggestion < 10, `suggestion ${res.suggestion}`);
  assert.deepEqual(
    a.model.getWeights().map((w) => Array.from(w.dataSync())),
    before,
  );
  assert.equal(tf.memory().numTensors, tensors);
});
