// One epoch convention: engine indices from 0, people's words from 1 within the phase;
// and the kept epoch is the one early stopping's rule restores, never the best accuracy
// when the monitor is the loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunConfig } from '../../../src-shared/engine-config';
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import { epochTag, epochText, keptEpoch, keptReason } from '../../../src-shared/epochs';

function epoch(phase: 1 | 2, i: number, valLoss: number, valAcc: number): EpochMetrics {
  return {
    phase,
    epoch: i,
    trainLoss: 1,
    trainAcc: 0.5,
    valLoss,
    valAcc,
    valMacroF1: valAcc,
    perClass: [],
    confusion: [],
    lr: 1e-3,
    epochMs: 1000,
  };
}

function config(phase2: boolean, earlyStopping: object | null = {}): RunConfig {
  const fit = { epochs: 10, optimizer: { kind: 'adam', lr: 1e-3 }, earlyStopping };
  return RunConfig.parse({
    backboneId: 'nsfwjs_mobilenet_v2',
    head: { pooling: 'avg', layers: [] },
    phase1: fit,
    phase2: phase2 ? { ...fit, unfreezeBlocks: 1 } : null,
  });
}

test('phase and epoch index read 1-based within the phase, in sentences and in tight places', () => {
  assert.equal(epochText(1, 12), 'phase 1, epoch 13');
  assert.equal(epochTag(2, 0), 'p2 e1');
});

test('the kept epoch follows the monitored loss, not the best accuracy', () => {
  const epochs = [epoch(1, 0, 0.9, 0.5), epoch(1, 1, 0.6, 0.6), epoch(1, 2, 0.7, 0.8), epoch(1, 3, 0.65, 0.7)];
  const k = keptEpoch(epochs, config(false))!;
  assert.equal(k.metrics, epochs[1]);
  assert.equal(k.monitor, 'valLoss');
  assert.equal(keptReason(k), 'lowest val loss');
});

test('a monitored accuracy, minDelta: an improvement smaller than minDelta does not move the kept epoch', () => {
  const epochs = [epoch(1, 0, 0.9, 0.5), epoch(1, 1, 0.8, 0.505), epoch(1, 2, 0.7, 0.6)];
  const small = keptEpoch(epochs.slice(0, 2), config(false, { monitor: 'valAcc', minDelta: 0.01 }))!;
  assert.equal(small.metrics, epochs[0]);
  assert.equal(keptReason(small), 'highest val acc');
  assert.equal(keptEpoch(epochs, config(false, { monitor: 'valAcc', minDelta: 0.01 }))!.metrics, epochs[2]);
});

test('in phase 2 only phase 2 counts: its weights are what the run ends with', () => {
  const epochs = [epoch(1, 0, 0.2, 0.9), epoch(2, 0, 0.5, 0.7), epoch(2, 1, 0.4, 0.8), epoch(2, 2, 0.45, 0.85)];
  const k = keptEpoch(epochs, config(true))!;
  assert.equal(epochTag(k.metrics.phase, k.metrics.epoch), 'p2 e2');
});

test('without early stopping, or without restoring, the run keeps its last epoch', () => {
  const epochs = [epoch(1, 0, 0.5, 0.5), epoch(1, 1, 0.9, 0.4)];
  for (const es of [null, { restoreBest: false }]) {
    const k = keptEpoch(epochs, config(false, es))!;
    assert.equal(k.metrics, epochs[1]);
    assert.equal(keptReason(k), 'last epoch');
  }
  assert.equal(keptEpoch([], config(false)), null);
});
