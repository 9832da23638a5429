import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunConfig } from '../../../../src-shared/engine-config';
import type { RunConfigInput } from '../../../../src-shared/engine-config';
import { openDatabase } from '../../../../src-main/store/db';
import { storeManifest } from '../../../../src-main/store/repos/manifests';
import {
  getRunRow,
  insertRun,
  listEpochs,
  listRunRows,
  markRunning,
  upsertEpoch,
} from '../../../../src-main/store/repos/runs';
import {
  detailOf,
  liveOf,
  storedConfig,
  summarizeEpochs,
  summaryOf,
} from '../../../../src-main/services/runs/run-views';
import type { EpochMetrics } from '../../../../src-shared/engine-metrics';

/** A run as the service stores it: the config's text, and its facts in their columns. */
function storedRun(config: RunConfigInput, db = openDatabase(':memory:')) {
  const manifestId = storeManifest(db, 'digest', '{}', 0).id;
  const id = insertRun(db, {
    name: 'r',
    config: JSON.stringify(config),
    seed: 1,
    backboneId: 'b',
    classes: ['a', 'b'],
    manifestId,
    trainCount: 8,
    valCount: 2,
    testCount: 3,
    inputSize: config.inputSize ?? 224,
    phase1Epochs: config.phase1.epochs,
    phase2Epochs: config.phase2?.epochs ?? null,
    groupId: null,
    fold: null,
    createdAt: 0,
    message: null,
    pid: 7,
  });
  return { db, row: getRunRow(db, id)! };
}

test('a config stored as parsed reads back as it was written', () => {
  const written = RunConfig.parse({
    backboneId: 'mobilenet_v2',
    inputSize: 160,
    phase1: { epochs: 3, optimizer: { kind: 'sgd', lr: 0.1 }, earlyStopping: { patience: 2 } },
    augment: { views: 2 },
    target: { valAbove: 0.85 },
  });
  const { db, row } = storedRun(written);
  assert.deepEqual(storedConfig(db, row), written);
});

test('a config an older build stored, without fields added since, reads back with their defaults', () => {
  const old: RunConfigInput = {
    backboneId: 'mobilenet_v2',
    inputSize: 224,
    phase1: { epochs: 5, optimizer: { kind: 'adam', lr: 0.001 } },
  };
  const { db, row } = storedRun(old);
  const read = storedConfig(db, row);
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
  const { row } = storedRun(config, db);
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

const twoPhase: RunConfigInput = {
  backboneId: 'mobilenet_v2',
  inputSize: 160,
  phase1: { epochs: 4, optimizer: { kind: 'adam', lr: 0.001 } },
  phase2: { epochs: 6, optimizer: { kind: 'adam', lr: 1e-5 }, unfreezeBlocks: 2 },
};

test('a stored config is parsed once per run: the same frozen object until its text changes', () => {
  const { db, row } = storedRun(twoPhase);
  const first = storedConfig(db, row);
  assert.equal(storedConfig(db, getRunRow(db, row.id)!), first, 'a second read of the row is the cached parse');
  assert.ok(Object.isFrozen(first.phase1.optimizer), 'shared by every caller, so nobody may change it');
  db.prepare('UPDATE runs SET config = ? WHERE id = ?').run(JSON.stringify({ ...twoPhase, inputSize: 192 }), row.id);
  assert.equal(storedConfig(db, getRunRow(db, row.id)!).inputSize, 192, 'other text, parsed again');
});

test("the runs list and a run's page read its input size, phases and split sizes from columns, not the config", () => {
  const { db, row } = storedRun(twoPhase);
  markRunning(db, row.id, 7, 1);
  upsertEpoch(db, row.id, epoch(1, 0, 0.9, 0.5, 1000));
  // Text no parser accepts: a reader that parsed it would throw.
  db.prepare("UPDATE runs SET config = 'not json' WHERE id = ?").run(row.id);
  const stored = getRunRow(db, row.id)!;
  const s = summaryOf(stored);
  assert.deepEqual([s.inputSize, s.twoPhase, s.valCount, s.testCount], [160, true, 2, 3]);
  assert.deepEqual(liveOf(db, stored), { planned: 10, etaS: 3, untimedPhase2: 6 });
  assert.throws(() => detailOf(db, stored), /JSON/, 'the page shows the whole config, so it does parse it');
  const listed = listRunRows(db)[0]!;
  assert.deepEqual(
    ['config', 'classes', 'result'].filter((k) => k in listed),
    [],
    'the listing does not even read the texts',
  );
  assert.deepEqual(summaryOf(listed), s);
});

test("a run's page takes its split sizes from the columns and its manifest's digest without the body", () => {
  const { db, row } = storedRun(twoPhase);
  db.prepare("UPDATE manifests SET body = 'not a manifest'").run();
  const d = detailOf(db, getRunRow(db, row.id)!);
  assert.deepEqual(d.splitSizes, { train: 8, val: 2, test: 3 });
  assert.equal(d.manifestDigest, 'digest');
  assert.equal(d.config.phase2?.epochs, 6);
});
