// The System page's words: which rung each ladder takes, why the GPU is idle when one is
// there, and a tone per state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SystemCheckReport, Rung } from '../../../../src-shared/system';
import { summary, tone } from '../../../../src-renderer/lib/system-report';

const rung = (id: string, state: Rung['state'], chosen = false): Rung => ({
  id,
  label: id,
  state,
  reason: state === 'ok' ? null : 'why',
  detail: null,
  chosen,
});

function report(gpus: SystemCheckReport['devices']['gpus'], cudaState: Rung['state']): SystemCheckReport {
  return {
    generatedAt: '2026-11-23T00:00:00.000Z',
    training: [
      rung('tensorflow-gpu', 'not available'),
      rung('tensorflow', 'not available'),
      rung('wasm', 'ok', true),
      rung('cpu', 'ok'),
    ],
    inference: [
      rung('onnxruntime-cuda', cudaState, cudaState === 'ok'),
      rung('onnxruntime-cpu', 'ok', cudaState !== 'ok'),
    ],
    devices: { gpus, note: gpus.length ? null : 'no NVIDIA GPU: nvidia-smi not found' },
    cuda: { toolkits: [], ldLibraryPath: [], stacks: [] },
    cpu: { model: 'x', cores: 2, simd: 'AVX2 + FMA', fmaLanes: 8 },
    memory: { totalBytes: 1, freeBytes: 1 },
    modelCache: { dir: '/m', files: [] },
    versions: {},
  };
}

test('says which rung trains and which infers, and why there is no GPU', () => {
  assert.equal(
    summary(report([], 'not available')),
    'Training runs on wasm; frozen inference on onnxruntime-cpu. No NVIDIA GPU: nvidia-smi not found.',
  );
});

test('a GPU that nothing uses points at the rungs and at setup:gpu', () => {
  const gpu = [{ index: 0, name: 'RTX', driver: '535.1', memoryMiB: 1 }];
  assert.match(
    summary(report(gpu, 'not available')),
    /The GPU is not used by tensorflow-gpu or onnxruntime-cuda: see why below, and run `npm run setup:gpu`\.$/,
  );
  assert.match(
    summary(report(gpu, 'ok')),
    /frozen inference on onnxruntime-cuda\. The GPU is not used by tensorflow-gpu:/,
  );
});

test('tones', () => {
  assert.deepEqual((['ok', 'degraded', 'not available', 'not tried'] as const).map(tone), [
    'ok',
    'warn',
    'bad',
    'muted',
  ]);
});
