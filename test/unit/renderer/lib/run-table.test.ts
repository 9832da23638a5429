import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMetrics } from '../../../../src-shared/engine-metrics';
import type { RunSummary } from '../../../../src-shared/runs';
import { curvesOf, keptMarker } from '../../../../src-renderer/lib/run-curves';
import { RunConfig } from '../../../../src-shared/engine-config';
import { configRows, sortRuns } from '../../../../src-renderer/lib/run-table';

const run = (id: number, bestValAcc: number | null) => ({ id, bestValAcc }) as RunSummary;

test('sorting puts missing values last either way', () => {
  const runs = [run(1, 0.5), run(2, null), run(3, 0.9)];
  assert.deepEqual(
    sortRuns(runs, 'bestValAcc', true).map((r) => r.id),
    [3, 1, 2],
  );
  assert.deepEqual(
    sortRuns(runs, 'bestValAcc', false).map((r) => r.id),
    [1, 3, 2],
  );
});

test('config rows mark the fields that differ and list them first', () => {
  const rows = configRows([
    { a: 1, b: { c: 2 } },
    { a: 1, b: { c: 3 } },
  ]);
  assert.deepEqual(rows, [
    { field: 'b.c', values: ['2', '3'], differs: true },
    { field: 'a', values: ['1', '1'], differs: false },
  ]);
});

const epoch = (phase: 1 | 2, e: number): EpochMetrics => ({
  phase,
  epoch: e,
  trainLoss: 1,
  trainAcc: 0.5,
  valLoss: 1,
  valAcc: 0.5,
  valMacroF1: 0.5,
  perClass: [],
  confusion: [],
  lr: 0.001,
  epochMs: 2000,
});

test('curves lay both phases end to end with the boundary and best epoch', () => {
  const epochs = [epoch(1, 0), epoch(1, 1), epoch(2, 0)];
  const c = curvesOf(epochs);
  assert.deepEqual(c.x, [1, 2, 3]);
  assert.equal(c.phaseBoundary, 2.5);
  // Ticks count epochs within their phase; between two points there is none.
  assert.deepEqual([1, 2, 3, 2.5].map(c.tick), ['1', '2', '1', '']);
  const fit = { epochs: 5, optimizer: { kind: 'adam', lr: 1e-3 }, earlyStopping: {} };
  const config = RunConfig.parse({
    backboneId: 'b',
    head: { pooling: 'avg', layers: [] },
    phase1: fit,
    phase2: { ...fit, unfreezeBlocks: 1 },
  });
  assert.deepEqual(keptMarker(epochs, config), { x: 3, label: 'kept p2 e1 (lowest val loss)', tag: 'p2 e1' });
});

test('a section off in one run is compared whole', () => {
  const rows = configRows([
    { p2: null, lr: 1 },
    { p2: { epochs: 3 }, lr: 1 },
  ]);
  assert.deepEqual(configRows([{ p2: null }, { p2: { opt: { kind: 'adam', lr: 1e-5 }, bn: 'frozen' } }])[0]!.values, [
    'off',
    'opt.kind adam, opt.lr 0.00001, bn frozen',
  ]);
  assert.deepEqual(rows[0], { field: 'p2', values: ['off', 'epochs 3'], differs: true });
  assert.equal(rows.length, 2);
});
