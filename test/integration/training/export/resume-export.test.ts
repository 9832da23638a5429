// A run cancelled mid-way and resumed from its checkpoint gives the very metrics of an
// uninterrupted run; so does a run whose cached values exceed the memory budget and are
// read from the cache per batch. Its export, run by `predict` on the image files, agrees
// with the engine's own evaluation of the test split.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBackbone } from '../../../../src-node-shared/backbones/registry';
import { loadBackbone } from '../../../../src-training/backbones/load';
import { splitBackbone } from '../../../../src-training/backbones/split';
import { pooledExtractor, splitExtractor } from '../../../../src-training/data/features';
import { featureSets, pooledFromSplit } from '../../../../src-training/data/run-sets';
import { range, rowOf } from '../../../../src-training/data/batches';
import { exportRun } from '../../../../src-training/export/run-export';
import { loadExport, predictFiles } from '../../../../src-main/cli/predict-folder';
import { runTraining } from '../../../../src-training/run';
import { resumeDir } from '../../../../src-training/resume-state';
import type { RunEnv } from '../../../../src-training/run';
import { RunConfig } from '../../../../src-shared/engine-config';
import type { EpochMetrics } from '../../../../src-shared/engine-metrics';
import type { BackendInfo, FromEngine, Prediction, RunData } from '../../../../src-shared/engine-protocol';
import { engineBackend, stripeRun, twoPhaseRun } from '../../../fixtures/engine/stripes';

const root = mkdtempSync(join(tmpdir(), 'fs-resume-'));
let data: RunData;
let backend: BackendInfo;

before(async () => {
  data = await stripeRun(root);
  backend = await engineBackend();
});

const config = RunConfig.parse({
  ...twoPhaseRun,
  phase1: { ...twoPhaseRun.phase1, epochs: 4, earlyStopping: { patience: 10 } },
  phase2: { ...twoPhaseRun.phase2, epochs: 2 },
  seed: 7,
});

interface Recorded {
  epochs: EpochMetrics[];
  predictions: Prediction[];
  events: FromEngine[];
}

function env(id: string, rec: Recorded, over: Partial<RunEnv> = {}): RunEnv {
  return {
    dirs: { featureCache: join(root, 'features'), modelCache: join(root, 'models'), run: join(root, 'runs', id) },
    backend,
    emit: (e) => {
      rec.events.push(e);
      if (e.type === 'epoch') rec.epochs.push(e.metrics);
      if (e.type === 'predictions') rec.predictions = e.rows;
    },
    ...over,
  };
}

const timeless = (m: EpochMetrics) => ({ ...m, epochMs: 0 });
const recorded = (): Recorded => ({ epochs: [], predictions: [], events: [] });

test('a cancelled run resumed from its checkpoint matches an uninterrupted one, epoch for epoch', async () => {
  const straight = recorded();
  const a = await runTraining(config, data, env('a', straight));
  assert.deepEqual(
    a.phases.map((p) => [p.phase, p.epochs, p.stop.kind]),
    [
      [1, 4, 'completed'],
      [2, 2, 'completed'],
    ],
  );
  assert.equal(straight.predictions.length, 6);
  assert.ok(!existsSync(resumeDir(env('a', straight).dirs)), 'a finished run keeps no resume checkpoint');

  const ctrl = new AbortController();
  const first = recorded();
  const firstEnv = env('b', first, { signal: ctrl.signal });
  const emit = firstEnv.emit;
  firstEnv.emit = (e) => (emit(e), e.type === 'epoch' && e.metrics.epoch === 1 && ctrl.abort());
  const b1 = await runTraining(config, data, firstEnv);
  assert.equal(b1.phases[0]!.stop.kind, 'cancelled');
  assert.equal(first.epochs.length, 2);

  const second = recorded();
  const b2 = await runTraining(config, data, env('b', second, { resume: true }));
  assert.deepEqual(
    second.events.find((e) => e.type === 'resumed'),
    { type: 'resumed', phase: 1, epoch: 2 },
  );
  assert.deepEqual(
    b2.phases.map((p) => [p.phase, p.epochs]),
    [
      [1, 4],
      [2, 2],
    ],
  );
  assert.deepEqual([...first.epochs, ...second.epochs].map(timeless), straight.epochs.map(timeless));
  assert.deepEqual(second.predictions, straight.predictions);
  assert.deepEqual(b2.test, a.test);
});

test('a run over the memory budget reads its values from the cache per batch, with the same results', async () => {
  const cfg = RunConfig.parse({
    ...config,
    phase1: { ...config.phase1, epochs: 2 },
    phase2: { ...config.phase2!, epochs: 1 },
  });
  const held = recorded();
  const h = await runTraining(cfg, data, env('held', held));
  const streamed = recorded();
  const s = await runTraining(cfg, data, env('streamed', streamed, { holdBytes: 0 }));
  assert.equal(h.featureStore?.split?.held, true);
  assert.equal(s.featureStore?.split?.held, false);
  // Split activations of 20 images at 96 px: 3x3x320 after the last block's cut, or more.
  assert.ok(s.featureStore!.split!.bytes >= 20 * 3 * 3 * 320 * 4, `${s.featureStore!.split!.bytes} bytes`);
  assert.deepEqual(streamed.epochs.map(timeless), held.epochs.map(timeless));
  assert.deepEqual(streamed.predictions, held.predictions);
});

test("export then predict on the test images gives the engine evaluation's predictions", async () => {
  const rec = recorded();
  const cfg = RunConfig.parse({ ...config, phase2: { ...config.phase2!, epochs: 1 } });
  const result = await runTraining(cfg, data, env('c', rec));
  const outDir = join(root, 'runs', 'c', 'export');
  const manifest = await exportRun({
    type: 'export',
    config: cfg,
    classes: data.classes,
    checkpoint: result.checkpoint,
    outDir,
    runId: 'c',
    configDigest: 'x',
    modelCache: join(root, 'models'),
  });
  assert.deepEqual(manifest.labels, data.classes);
  assert.equal(manifest.inputSize, 96);
  assert.equal(manifest.preprocessingText, 'pixel / 255, into [0, 1]');
  const exp = await loadExport(outDir);
  const { rows, problems } = await predictFiles(exp, [...data.test.map((i) => i.path), join(root, 'missing.png')]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.reason, /cannot decode image .*missing\.png/);
  rows.forEach((r, i) => {
    const p = rec.predictions[i]!;
    assert.equal(r.predicted, data.classes[p.predicted]);
    r.probs.forEach((v, k) =>
      assert.ok(Math.abs(v - p.probs[k]!) < 1e-4, `image ${i} class ${k}: ${v} vs ${p.probs[k]}`),
    );
  });
});

test("phase-1 features derived from the split activations equal the whole backbone's", async () => {
  const backbone = await loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: 96 });
  const split = splitBackbone(backbone, 2);
  const small = { ...data, train: data.train.slice(0, 4), val: data.val.slice(0, 2), test: [] };
  const setsEnv = {
    dirs: {
      featureCache: join(root, 'features-derived'),
      modelCache: join(root, 'models'),
      run: join(root, 'runs', 'd'),
    },
    emit: () => {},
  };
  const direct = await featureSets(1, pooledExtractor(backbone, 'avg'), backbone, config, small, setsEnv);
  const splitSets = await featureSets(1, splitExtractor(backbone, split), backbone, config, small, setsEnv);
  const events: FromEngine[] = [];
  const derived = await pooledFromSplit(splitSets, split, 'avg', { emit: (e) => events.push(e) });
  // Pooling reports as phase 1's features, each split from 0 to its size.
  const seen = events.flatMap((e) => (e.type === 'features' ? [`${e.phase} ${e.split} ${e.done}/${e.total}`] : []));
  assert.deepEqual([seen[0], seen.at(-1)], ['1 train 0/4', '1 val 2/2']);
  assert.ok(seen.includes('1 train 4/4'), seen.join(', '));
  // And hears a cancel between batches.
  const stop = new AbortController();
  stop.abort(new Error('cancelled by the test'));
  await assert.rejects(
    pooledFromSplit(splitSets, split, 'avg', { emit: () => {}, signal: stop.signal }),
    /cancelled by the test/,
  );
  assert.deepEqual(derived.train.rows.shape, [1280]);
  const pairs = [direct.train, direct.val!].flatMap((set, s) =>
    range(0, set.rows.size).map((i) => [rowOf(set.rows, i), rowOf([derived.train, derived.val!][s]!.rows, i)]),
  );
  for (const [a, b] of pairs)
    a!.forEach((x, k) => assert.ok(Math.abs(x - b![k]!) < 1e-4, `feature ${k}: ${x} vs ${b![k]}`));
});
