// Where a run's time went, and the time left from each phase's own epoch times: a phase 2
// epoch of 10 s is not averaged with phase 1 epochs of 0.1 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunConfig } from '../../../src-shared/engine-config';
import { RunResult } from '../../../src-shared/engine-protocol';
import { etaOf, etaText, runTime, runTimeText } from '../../../src-shared/run-time';

const fit = { epochs: 10, optimizer: { kind: 'adam', lr: 1e-3 } };
const config = RunConfig.parse({
  backboneId: 'b',
  head: { pooling: 'avg', layers: [] },
  phase1: fit,
  phase2: { ...fit, unfreezeBlocks: 1 },
});
const times = (phase: 1 | 2, ms: number[]) => ms.map((epochMs) => ({ phase, epochMs }));

test('time left counts each phase at its own mean epoch time', () => {
  assert.deepEqual(etaOf([], config), { seconds: null, untimedPhase2: 0 });
  // Phase 1: 4 of 10 done at 0.5 s; phase 2 not begun, so not timed.
  const early = etaOf(times(1, [400, 600, 500, 500]), config);
  assert.deepEqual(early, { seconds: 3, untimedPhase2: 10 });
  assert.equal(etaText(early), 'about 3.0 s + 10 phase 2 epochs not timed yet');
  // Phase 1 ended (early stopping after 4); phase 2: 2 of 10 at 11 s each.
  const late = etaOf([...times(1, [100, 100, 100, 100]), ...times(2, [10_000, 12_000])], config);
  assert.deepEqual(late, { seconds: 88, untimedPhase2: 0 });
  assert.equal(etaText(late), 'about 1 min 28 s');
});

test('the wall time splits into cache build, phases, evaluation and start-up', () => {
  const result = RunResult.parse({
    backend: { name: 'wasm', rejected: [], versions: {} },
    backboneHash: 'h',
    featureShape: [1, 1, 4],
    phases: [],
    test: null,
    checkpoint: '/c',
    wallMs: 100_000,
    timing: { cacheMs: 95_000, phase1Ms: 3_000, phase2Ms: 0, evalMs: 1_200 },
  });
  // The service saw 103 s from start to end: 3 s more than the engine's clock (process start, backend choice).
  const t = runTime({ result, startedAt: 1_000, finishedAt: 104_000, twoPhase: false })!;
  assert.equal(t.wallMs, 103_000);
  assert.equal(runTimeText(t), '1 min 43 s: cache build 1 min 35 s, phase 1 3.0 s, evaluation 1.2 s, start-up 3.8 s');
  assert.deepEqual(
    runTime({ result, startedAt: null, finishedAt: null, twoPhase: true })!.parts.map((p) => p.key),
    ['cache', 'phase1', 'phase2', 'eval', 'startup'],
  );
  assert.equal(
    runTime({ result: { ...result, timing: undefined }, startedAt: 0, finishedAt: 1, twoPhase: false }),
    null,
  );
});

test('a WebGPU run shows its shader warm-up as a stage of its own, taken out of start-up', () => {
  const result = RunResult.parse({
    backend: { name: 'webgpu', rejected: [], versions: {} },
    backboneHash: 'h',
    featureShape: [1, 1, 4],
    phases: [],
    test: null,
    checkpoint: '/c',
    wallMs: 30_000,
    timing: { cacheMs: 5_000, phase1Ms: 4_000, phase2Ms: 6_000, evalMs: 1_000, warmupMs: 12_000 },
  });
  const t = runTime({ result, startedAt: 0, finishedAt: 30_000, twoPhase: true })!;
  assert.deepEqual(
    t.parts.map((p) => [p.label, p.ms]),
    [
      ['cache build', 5_000],
      ['shader warm-up', 12_000],
      ['phase 1', 4_000],
      ['phase 2', 6_000],
      ['evaluation', 1_000],
      ['start-up', 2_000],
    ],
  );
  assert.match(runTimeText(t), /cache build 5\.0 s, shader warm-up 12 s, phase 1/);
});
