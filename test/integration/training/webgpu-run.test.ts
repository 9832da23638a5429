// A two-phase run trained on the WebGPU rung (lavapipe in CI) against the same run on the
// CPU path (wasm), in one process on the same images: per-epoch losses and accuracies agree
// within TOLERANCE, and the test split gets the same predictions. Frozen inference runs on
// ONNX Runtime in both, so what differs is only the backend that trains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-node-shared/backend';
import { runTraining } from '../../../src-training/run';
import type { RunEnv } from '../../../src-training/run';
import { injectWebGpuFault } from '../../../src-node-shared/webgpu/device';
import { RunConfig } from '../../../src-shared/engine-config';
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import type { BackendInfo, Prediction, RunData, RunImage } from '../../../src-shared/engine-protocol';
import { closeWebGpu, openWebGpuForTest } from '../../unit/node-shared/webgpu/gpu';
import { stripeImage } from '../../fixtures/engine/stripes';

/** Largest |webgpu - wasm| allowed in a loss or an accuracy, per epoch. */
const TOLERANCE = 2e-3;
const root = mkdtempSync(join(tmpdir(), 'fs-webgpu-run-'));
let data: RunData;
let skip: string | false = 'not opened';

before(async () => {
  const images: RunImage[] = [];
  for (let i = 0; i < 16; i++) images.push(await stripeImage(root, i, i % 2));
  data = { classes: ['rows', 'columns'], train: images.slice(0, 8), val: images.slice(8, 12), test: images.slice(12) };
  await selectBackend({ prefer: 'wasm' });
  ({ skip } = await openWebGpuForTest());
});
after(closeWebGpu);

const config = RunConfig.parse({
  backboneId: 'nsfwjs_mobilenet_v2',
  inputSize: 96,
  head: { layers: [{ kind: 'dense', units: 8 }] },
  phase1: { epochs: 3, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } },
  phase2: { epochs: 2, batchSize: 4, optimizer: { kind: 'adam', lr: 1e-4 }, unfreezeBlocks: 1 },
  seed: 3,
});

interface Recorded {
  epochs: EpochMetrics[];
  predictions: Prediction[];
}

function env(id: string, rec: Recorded, backend: BackendInfo): RunEnv {
  return {
    dirs: { featureCache: join(root, 'features'), modelCache: join(root, 'models'), run: join(root, 'runs', id) },
    backend,
    emit: (e) => {
      if (e.type === 'epoch') rec.epochs.push(e.metrics);
      if (e.type === 'predictions' && e.split === 'test') rec.predictions = e.rows;
    },
  };
}

const numbers = (m: EpochMetrics) => [m.trainLoss, m.trainAcc, m.valLoss ?? 0, m.valAcc ?? 0];
const backendInfo = (name: BackendInfo['name']): BackendInfo => ({ name, rejected: [], versions: {} });

test(`a two-phase run on WebGPU gives the wasm run's epochs within ${TOLERANCE} and its test predictions`, async (t) => {
  if (skip) return t.skip(skip);
  await tf.setBackend('wasm');
  // Set, not the default: the machine's load must not decide how the wasm run's phase 2 steps.
  process.env.STUDIO_TRAIN_SHARDS = '2';
  const cpu: Recorded = { epochs: [], predictions: [] };
  const cpuResult = await runTraining(config, data, env('wasm', cpu, backendInfo('wasm')));
  await tf.setBackend('webgpu');
  const gpu: Recorded = { epochs: [], predictions: [] };
  const result = await runTraining(config, data, env('webgpu', gpu, backendInfo('webgpu')));
  assert.deepEqual(
    result.phases.map((p) => [p.phase, p.epochs]),
    [
      [1, 3],
      [2, 2],
    ],
  );
  // Compiling the step's shaders is a stage of its own on WebGPU, before each phase; wasm has none.
  assert.ok(
    result.phases.every((p) => p.warmupMs! > 0),
    'each WebGPU phase records its shader warm-up',
  );
  assert.equal(result.timing?.warmupMs, result.phases[0]!.warmupMs! + result.phases[1]!.warmupMs!);
  assert.equal(cpuResult.timing?.warmupMs, undefined);
  assert.ok(cpuResult.phases.every((p) => p.warmupMs === undefined));
  // On wasm, phase 2 stepped data-parallel (the CPU default) and still gave WebGPU's epochs.
  assert.deepEqual(
    cpuResult.phases.map((p) => p.shards),
    [undefined, { count: 2 }],
  );
  assert.deepEqual(result.phases[1]!.shards, { count: 1 });
  t.diagnostic(
    `shader warm-up: ${result.phases.map((p) => `phase ${p.phase} ${Math.round(p.warmupMs!)} ms`).join(', ')}`,
  );
  assert.equal(gpu.epochs.length, cpu.epochs.length);
  let worst = 0;
  gpu.epochs.forEach((m, i) => {
    const want = numbers(cpu.epochs[i]!);
    numbers(m).forEach((v, k) => {
      worst = Math.max(worst, Math.abs(v - want[k]!));
      assert.ok(
        Math.abs(v - want[k]!) <= TOLERANCE,
        `phase ${m.phase} epoch ${m.epoch} value ${k}: webgpu ${v} vs wasm ${want[k]}`,
      );
    });
  });
  t.diagnostic(`largest difference in an epoch's loss or accuracy: ${worst.toExponential(2)}`);
  assert.deepEqual(
    gpu.predictions.map((p) => p.predicted),
    cpu.predictions.map((p) => p.predicted),
  );
  assert.equal(gpu.predictions.length, 4);
});

test('a WebGPU fault mid-run (a lost device, a validation error) ends the run with that reason, not with numbers', async (t) => {
  if (skip) return t.skip(skip);
  await tf.setBackend('webgpu');
  const rec: Recorded = { epochs: [], predictions: [] };
  const run = env('fault', rec, backendInfo('webgpu'));
  const emit = run.emit;
  run.emit = (e) => (
    emit(e),
    e.type === 'batch' &&
      e.phase === 1 &&
      e.batch === 0 &&
      injectWebGpuFault('the WebGPU device was lost (unknown): injected by the test')
  );
  await assert.rejects(runTraining(config, data, run), /the WebGPU device was lost \(unknown\): injected by the test/);
  assert.deepEqual(rec.epochs, [], 'no epoch is reported after the fault');
  assert.deepEqual(rec.predictions, []);
});
