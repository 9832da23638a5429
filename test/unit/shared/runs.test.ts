// How a cache build's rate and time left read in the CLI and on the run page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheRateText, frozenWorkLines, RunsProgress } from '../../../src-shared/runs';
import { RunResult } from '../../../src-shared/engine-protocol';

test('rate and time left in seconds, minutes or hours; nothing until both are known', () => {
  assert.equal(cacheRateText({}), '');
  assert.equal(cacheRateText({ etaS: 0 }), '');
  assert.equal(cacheRateText({ rate: 183.6, etaS: 41.2 }), '184 images/s, about 42 s left');
  assert.equal(cacheRateText({ rate: 95, etaS: 31 * 60 + 20 }), '95 images/s, about 31 min left');
  assert.equal(cacheRateText({ rate: 20, etaS: 10_000 }), '20 images/s, about 2.8 h left');
});

test('a features event from before the rate was sent still parses', () => {
  const old = { kind: 'features', runId: 1, phase: 1, split: 'train', done: 5, total: 10, fromCache: 0 };
  assert.deepEqual(RunsProgress.parse(old), old);
  assert.equal(RunsProgress.safeParse({ ...old, etaS: -1 }).success, false);
});

test("a run's frozen work: what computed each stage, and whether its values were held or read per batch", () => {
  const base = RunResult.parse({
    backend: { name: 'wasm', rejected: [], versions: {} },
    backboneHash: 'h',
    featureShape: [3, 3, 1280],
    phases: [],
    test: null,
    checkpoint: '/c',
    wallMs: 1,
  });
  assert.deepEqual(frozenWorkLines(null), []);
  assert.deepEqual(frozenWorkLines(base), [], 'a run from before either was recorded');
  const lines = frozenWorkLines({
    ...base,
    inference: {
      split: {
        runtime: 'onnxruntime-cpu',
        threads: 2,
        rejected: [{ runtime: 'onnxruntime-cuda', reason: 'libcudart.so.12 not found' }],
      },
    },
    featureStore: { split: { bytes: 6_300_000_000, held: false }, features: { bytes: 1_024_000_000, held: true } },
  });
  assert.deepEqual(lines, [
    'Split-point activations: computed on onnxruntime-cpu, 2 threads (onnxruntime-cuda not used: libcudart.so.12 not found); 6.3 GB, over the memory budget, so read from the cache per batch (STUDIO_FEATURE_MEMORY_MB sets the budget)',
    'Pooled features: every value from the cache; 1.0 GB, held in memory',
  ]);
});

test('a run says which rung trained each phase: the WebGPU adapter, and why the rungs above were not used', () => {
  const phase = (n: 1 | 2) => ({
    phase: n,
    stop: { kind: 'completed' },
    epochs: 2,
    bestEpoch: null,
    featureMs: 1,
    fitMs: 1,
  });
  const adapter = {
    vendor: 'nvidia',
    architecture: 'hopper',
    device: '',
    description: 'NVIDIA H100',
    software: false,
    limits: { maxStorageBuffersPerShaderStage: 96 },
  };
  const result = RunResult.parse({
    backend: {
      name: 'webgpu',
      rejected: [{ name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' }],
      versions: {},
      adapter,
      parity: 1e-7,
    },
    backboneHash: 'h',
    featureShape: [3, 3, 1280],
    phases: [phase(1), phase(2)],
    test: null,
    checkpoint: '/c',
    wallMs: 1,
  });
  const why = ' (tensorflow-gpu not used: @tensorflow/tfjs-node-gpu is not installed)';
  assert.deepEqual(frozenWorkLines(result), [
    `Phase 1 trained on webgpu on nvidia hopper (NVIDIA H100)${why}`,
    `Phase 2 trained on webgpu on nvidia hopper (NVIDIA H100)${why}`,
  ]);
  const wasm = RunResult.parse({
    ...result,
    backend: { name: 'wasm', rejected: [], versions: {} },
    phases: [phase(1)],
  });
  assert.deepEqual(frozenWorkLines(wasm), ['Phase 1 trained on wasm']);
});
