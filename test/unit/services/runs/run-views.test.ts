import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunConfig } from '../../../../src-shared/engine-config';
import { openDatabase } from '../../../../src-main/store/db';
import { storeManifest } from '../../../../src-main/store/repos/manifests';
import { getRunRow, insertRun, listEpochs, markRunning, upsertEpoch } from '../../../../src-main/store/repos/runs';
import { configOf, liveOf, summarizeEpochs } from '../../../../src-main/services/runs/run-views';
import type { EpochMetrics } from '../../../../src-shared/engine-metrics';

function storedRun(config: unknown, db = openDatabase(':memory:')) {
  const manifestId = storeManifest(db, 'digest', '{}', 0).id;
  const id = insertRun(db, {
    name: 'r',
    config: JSON.stringify(config),
    seed: 1,
    backboneId: 'b',
    classes: ['a', 'b'],
    manifestId,
    valCount: 0,
    testCount: 0,
    groupId: null,
    fold: null,
    createdAt: 0,
    message: null,
    pid: 7,
  });
  return getRunRow(db, id)!;
}

test('a config stored as parsed reads back as it was written', () => {
  const written = RunConfig.parse({
    backboneId: 'mobilenet_v2',
    inputSize: 160,
    phase1: { epochs: 3, optimizer: { kind: 'sgd', lr: 0.1 }, earlyStopping: { patience: 2 } },
    augment: { views: 2 },
    target: { valAbove: 0.85 },
  });
  assert.deepEqual(configOf(storedRun(written)), written);
});

test('a config an older build stored, without fields added since, reads back with their defaults', () => {
  const old = {
    backboneId: 'mobilenet_v2',
    inputSize: 224,
    phase1: { epochs: 5, optimizer: { kind: 'adam', lr: 0.001 } },
  };
  const read = configOf(storedRun(old));
  assert.equal(read.labelType, 'single');
  assert.deepEqual(read.head, { pooling: 'avg', layers: [], l2: 0 });
  assert.equal(read.seed, 42);
  assert.equal(read.phase2, null);
  assert.equal(read.phase1.batchSize, 32);
  assert.deepEqual(read.phase1.optimizer, { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999 });
  assert.equal(read.phase1.earlyStopping, null);
});

const epoch = (phase: 1 | 2, i: number, valLoss: number, valAcc: number, epochMs: number): EpochMetrics => ({
  phase,
  epoch: i,
  trainLoss: 1,
  trainAcc: 0.9,
  valLoss,
  valAcc,
  valMacroF1: valAcc,
  perClass: [],
  confusion: [[1]],
  lr: 1e-3,
  epochMs,
});

test("a running run: its kept epoch follows the monitored val loss, its ETA each phase's stored epoch times", () => {
  const db = openDatabase(':memory:');
  const config = RunConfig.parse({
    backboneId: 'mobilenet_v2',
    inputSize: 160,
    phase1: { epochs: 5, optimizer: { kind: 'adam', lr: 0.001 }, earlyStopping: {} },
  });
  const row = storedRun(config, db);
  assert.equal(liveOf(db, row), undefined, 'not running yet');
  markRunning(db, row.id, 7, 1);
  // Val acc peaks at epoch index 2, val loss at index 1: early stopping keeps index 1.
  for (const m of [epoch(1, 0, 0.9, 0.5, 1000), epoch(1, 1, 0.5, 0.6, 3000), epoch(1, 2, 0.6, 0.8, 2000)])
    upsertEpoch(db, row.id, m);
  assert.deepEqual(liveOf(db, getRunRow(db, row.id)!), { planned: 5, etaS: 4, untimedPhase2: 0 });
  const s = summarizeEpochs(listEpochs(db, row.id), config);
  assert.deepEqual([s.bestPhase, s.bestEpoch, s.bestValAcc], [1, 1, 0.6]);
  assert.ok(Math.abs(s.gap! - 0.3) < 1e-12);
});
