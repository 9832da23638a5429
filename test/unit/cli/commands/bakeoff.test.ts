import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bakeoffTable, entriesOf } from '../../../../src-main/cli/commands/bakeoff';
import type { BakeoffSummary } from '../../../../src-shared/bakeoff';

test('--backbones and --sizes: each backbone at each size, id@px pins one', () => {
  assert.deepEqual(entriesOf('a,b'), [{ backboneId: 'a' }, { backboneId: 'b' }]);
  assert.deepEqual(entriesOf('a, b@128', '96,160'), [
    { backboneId: 'a', inputSize: 96 },
    { backboneId: 'a', inputSize: 160 },
    { backboneId: 'b', inputSize: 128 },
  ]);
  assert.deepEqual(entriesOf('a', '96,160'), [
    { backboneId: 'a', inputSize: 96 },
    { backboneId: 'a', inputSize: 160 },
  ]);
  assert.throws(() => entriesOf('a'), /at least two/);
  assert.throws(() => entriesOf('a,b', '96,big'), /whole pixel sizes/);
});

test('the table shows intervals, times, size and the Pareto mark', () => {
  const row = {
    runId: 4,
    status: 'done' as const,
    backboneId: 'mobilenet_0.25',
    inputSize: 96,
    epochs: 2,
    valAcc: { value: 0.75, low: 0.3, high: 0.95, n: 4 },
    valMacroF1: 0.7,
    testAcc: { value: 5 / 6, low: 0.436, high: 0.97, n: 6 },
    testMacroF1: 0.8,
    phase1EpochMs: 120,
    phase2EpochMs: null,
    cacheMs: 2500,
    latencyMs: 7.25,
    backboneParams: 218_544,
    headParams: 514,
    weightBytes: 876_232,
    pareto: true,
  };
  const s: BakeoffSummary = {
    bakeoffId: 1,
    name: 'x',
    createdAt: 0,
    seed: 3,
    manifestDigest: 'abcdef0123456789',
    accuracyOf: 'test',
    done: 1,
    rows: [row, { ...row, runId: 5, pareto: false, status: 'running', testAcc: null }],
  };
  const text = bakeoffTable(s);
  assert.match(text, /Bake-off 1 "x": 1 of 2 runs done; seed 3, manifest abcdef012345/);
  assert.match(text, /83\.3 % \[44-97\] n=6/);
  assert.match(text, /7\.3 ms/);
  assert.match(text, /0\.22 M/);
  const lines = text.split('\n');
  assert.ok(lines[2]!.trimEnd().endsWith('*') && !lines[3]!.trimEnd().endsWith('*'), 'only the front row is marked');
});
