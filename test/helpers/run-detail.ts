// A finished two-phase run as `runs.get` returns it, for the screens that show one: phase 1
// on the head alone, phase 2 stepped as `shards` says (src-training/parallel).
import { RunConfig } from '../../src-shared/engine-config';
import { RunResult, type PhaseResult } from '../../src-shared/engine-protocol';
import { RunDetail } from '../../src-shared/runs';

const fit = { epochs: 2, optimizer: { kind: 'adam', lr: 1e-3 } };

export function doneRun(shards: PhaseResult['shards']): RunDetail {
  const phase = (n: 1 | 2) => ({
    phase: n,
    stop: { kind: 'completed' },
    epochs: 2,
    bestEpoch: 1,
    featureMs: 10,
    fitMs: 100,
    ...(n === 2 && shards ? { shards } : {}),
  });
  const result = RunResult.parse({
    backend: { name: 'wasm', rejected: [], versions: { wasmThreads: '1' } },
    backboneHash: 'h',
    featureShape: [3, 3, 8],
    phases: [phase(1), phase(2)],
    test: {
      loss: 0.5,
      accuracy: 0.75,
      macroF1: 0.74,
      perClass: [
        { precision: 0.8, recall: 0.7, f1: 0.75, support: 2 },
        { precision: 0.7, recall: 0.8, f1: 0.74, support: 2 },
      ],
      confusion: [
        [1, 1],
        [0, 2],
      ],
    },
    checkpoint: '/c',
    wallMs: 1_000,
    timing: { cacheMs: 100, phase1Ms: 200, phase2Ms: 500, evalMs: 100 },
  });
  return RunDetail.parse({
    id: 1,
    name: 'run 1',
    status: 'done',
    backboneId: 'mobilenet_v2',
    inputSize: 96,
    twoPhase: true,
    epochs: 4,
    bestPhase: 2,
    bestEpoch: 1,
    bestValAcc: 0.75,
    bestMacroF1: 0.74,
    gap: 0.05,
    testAcc: 0.75,
    testMacroF1: 0.74,
    valCount: 4,
    testCount: 4,
    trainMs: 1_000,
    modelBytes: 100,
    groupId: null,
    fold: null,
    createdAt: 0,
    startedAt: 0,
    finishedAt: 1_000,
    message: null,
    config: RunConfig.parse({
      backboneId: 'mobilenet_v2',
      head: { pooling: 'avg', layers: [] },
      phase1: fit,
      phase2: { ...fit, unfreezeBlocks: 1 },
    }),
    seed: 1,
    classes: ['dark', 'light'],
    backend: 'wasm',
    backboneHash: 'h',
    manifestDigest: null,
    splitSizes: { train: 8, val: 4, test: 4 },
    result,
  });
}

/** What the load-aware choice records on a busy machine (src-training/parallel/machine-load.ts). */
export const BUSY = 'the machine was busy (other processes kept 1.6 of 2 cores busy)';
