import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunConfig } from '../../../../src-shared/engine-config';
import { openDatabase } from '../../../../src-main/store/db';
import { storeManifest } from '../../../../src-main/store/repos/manifests';
import { getRunRow, insertRun } from '../../../../src-main/store/repos/runs';
import { configOf } from '../../../../src-main/services/runs/run-views';

function storedRun(config: unknown) {
  const db = openDatabase(':memory:');
  const manifestId = storeManifest(db, 'digest', '{}', 0).id;
  const id = insertRun(db, { name: 'r', config: JSON.stringify(config), seed: 1, backboneId: 'b', classes: ['a', 'b'], manifestId, valCount: 0, testCount: 0, groupId: null, fold: null, createdAt: 0, message: null, pid: 7 });
  return getRunRow(db, id)!;
}

test('a config stored as parsed reads back as it was written', () => {
  const written = RunConfig.parse({
    backboneId: 'mobilenet_v2', inputSize: 160,
    phase1: { epochs: 3, optimizer: { kind: 'sgd', lr: 0.1 }, earlyStopping: { patience: 2 } },
    augment: { views: 2 }, target: { valAbove: 0.85 },
  });
  assert.deepEqual(configOf(storedRun(written)), written);
});

test('a config an older build stored, without fields added since, reads back with their defaults', () => {
  const old = { backboneId: 'mobilenet_v2', inputSize: 224, phase1: { epochs: 5, optimizer: { kind: 'adam', lr: 0.001 } } };
  const read = configOf(storedRun(old));
  assert.equal(read.labelType, 'single');
  assert.deepEqual(read.head, { pooling: 'avg', layers: [], l2: 0 });
  assert.equal(read.seed, 42);
  assert.equal(read.phase2, null);
  assert.equal(read.phase1.batchSize, 32);
  assert.deepEqual(read.phase1.optimizer, { kind: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999 });
  assert.equal(read.phase1.earlyStopping, null);
});
