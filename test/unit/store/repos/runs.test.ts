import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStore, placeholderImage } from '../../../helpers/store';
import { storeManifest } from '../../../../src-main/store/repos/manifests';
import {
  deleteEpochsFrom,
  getRunRow,
  insertRun,
  listEpochs,
  pagePredictions,
  replacePredictions,
  requeueRun,
  upsertEpoch,
} from '../../../../src-main/store/repos/runs';
import type { EpochMetrics } from '../../../../src-shared/engine-metrics';

function db() {
  const { db: d, importId } = memoryStore();
  const ids = [0, 1, 2].map((i) => placeholderImage(d, importId, String(i).repeat(64), { split: 'test' }));
  const manifestId = storeManifest(d, 'digest', '{}', 0).id;
  const runId = insertRun(d, {
    name: 'r',
    config: '{}',
    seed: 1,
    backboneId: 'b',
    classes: ['a', 'b'],
    manifestId,
    trainCount: 0,
    valCount: 0,
    testCount: 3,
    inputSize: 224,
    phase1Epochs: 1,
    phase2Epochs: null,
    groupId: null,
    fold: null,
    createdAt: 0,
    message: null,
    pid: 7,
  });
  return { d, ids, runId, manifestId };
}

const epoch = (phase: 1 | 2, e: number, trainLoss = 1): EpochMetrics => ({
  phase,
  epoch: e,
  trainLoss,
  trainAcc: 0.5,
  valLoss: null,
  valAcc: null,
  valMacroF1: null,
  perClass: [],
  confusion: [],
  lr: 0.1,
  epochMs: 3,
});

test('a manifest is stored once per digest', () => {
  const { d, manifestId } = db();
  assert.deepEqual(storeManifest(d, 'digest', '{}', 5), { id: manifestId, created: false });
  const other = storeManifest(d, 'other', '{}', 5);
  assert.ok(other.created);
  assert.notEqual(other.id, manifestId);
});

test('a repeated epoch replaces its row; a resume drops what came after its checkpoint', () => {
  const { d, runId } = db();
  for (const e of [0, 1, 2]) upsertEpoch(d, runId, epoch(1, e));
  upsertEpoch(d, runId, epoch(2, 0));
  upsertEpoch(d, runId, epoch(1, 1, 0.25));
  assert.equal(listEpochs(d, runId).length, 4);
  assert.equal(listEpochs(d, runId)[1]!.trainLoss, 0.25);
  assert.equal(deleteEpochsFrom(d, runId, 1, 2), 2, 'phase 1 epoch 2 and all of phase 2');
  assert.deepEqual(
    listEpochs(d, runId).map((m) => [m.phase, m.epoch]),
    [
      [1, 0],
      [1, 1],
    ],
  );
});

test('predictions page highest loss first and filter by confusion cell', () => {
  const { d, ids, runId } = db();
  replacePredictions(d, runId, [
    { imageId: ids[0]!, trueClass: 0, predicted: 1, loss: 2, probs: [0.1, 0.9] },
    { imageId: ids[1]!, trueClass: 0, predicted: 0, loss: 0.1, probs: [0.9, 0.1] },
    { imageId: ids[2]!, trueClass: 1, predicted: 1, loss: 0.5, probs: [0.4, 0.6] },
  ]);
  const all = pagePredictions(d, runId, {}, 0, 10);
  assert.equal(all.total, 3);
  assert.deepEqual(
    all.items.map((p) => p.loss),
    [2, 0.5, 0.1],
  );
  assert.equal(all.items[0]!.hash, '0'.repeat(64));
  const cell = pagePredictions(d, runId, { trueClass: 0, predicted: 1 }, 0, 10);
  assert.deepEqual(
    cell.items.map((p) => p.imageId),
    [ids[0]],
  );
  replacePredictions(d, runId, []);
  assert.equal(pagePredictions(d, runId, {}, 0, 10).total, 0);
});

test('a resumed run is queued again under the process that resumes it', () => {
  const { d, runId } = db();
  requeueRun(d, runId, 99, 'Waiting to resume.');
  const row = getRunRow(d, runId)!;
  assert.deepEqual([row.status, row.pid, row.message], ['queued', 99, 'Waiting to resume.']);
  assert.throws(() => requeueRun(d, 12345, 1, ''), /run 12345 is not in the project/);
});
