// A run exported as ONNX (preprocessing inside, metadata for users) and predicted on
// ONNX Runtime gives the run's own evaluation of its test split within 1e-4; a graph that
// does not match its tfjs model is refused and not kept; tfjs exports still load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportRun } from '../../../../src-training/export/run-export';
import { onnx } from '../../../../src-node-shared/onnx/graph';
import { writeOnnxExport } from '../../../../src-training/export/onnx-export';
import { loadExport, predictFiles, predictionsCsv } from '../../../../src-main/cli/predict-folder';
import { runTraining } from '../../../../src-training/run';
import { RunConfig } from '../../../../src-shared/engine-config';
import { ONNX_EXPORT_FORMAT } from '../../../../src-shared/engine-export';
import { IMAGE_BACKGROUND } from '../../../../src-shared/image-background';
import type { BackendInfo, Prediction, RunData } from '../../../../src-shared/engine-protocol';
import { engineBackend, stripeRun, twoPhaseRun } from '../../../fixtures/engine/stripes';

const root = mkdtempSync(join(tmpdir(), 'fs-onnx-export-'));
let data: RunData;
let backend: BackendInfo;

before(async () => {
  await mkdir(join(root, 'images'), { recursive: true });
  // Some transparent pixels: the export must be fed what training saw (the background composite).
  data = await stripeRun(join(root, 'images'), true);
  backend = await engineBackend();
});
after(() => rmSync(root, { recursive: true, force: true }));

const config = RunConfig.parse({
  ...twoPhaseRun,
  phase1: { ...twoPhaseRun.phase1, epochs: 3 },
  phase2: { ...twoPhaseRun.phase2, epochs: 1 },
  seed: 11,
});

function metadataOf(file: string): Record<string, string> {
  const model = onnx.ModelProto.decode(readFileSync(file));
  return Object.fromEntries(model.metadataProps.map((p) => [p.key!, p.value!]));
}

test("an ONNX export predicted on ONNX Runtime gives the run's stored test predictions within 1e-4", async () => {
  let predictions: Prediction[] = [];
  const dirs = { featureCache: join(root, 'features'), modelCache: join(root, 'models'), run: join(root, 'runs', 'a') };
  const result = await runTraining(config, data, {
    dirs,
    backend,
    emit: (e) => void (e.type === 'predictions' && (predictions = e.rows)),
  });
  assert.equal(predictions.length, data.test.length);
  const outDir = join(dirs.run, 'export-onnx');
  const manifest = await exportRun({
    type: 'export',
    format: 'onnx',
    config,
    classes: data.classes,
    checkpoint: result.checkpoint,
    outDir,
    runId: '42',
    configDigest: 'abc',
    modelCache: dirs.modelCache,
  });
  assert.equal(manifest.format, ONNX_EXPORT_FORMAT);
  assert.equal(manifest.model, 'model.onnx');
  assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')), manifest);
  assert.ok(!existsSync(join(outDir, 'model.json')), 'no tfjs files in an ONNX export');

  const meta = metadataOf(join(outDir, 'model.onnx'));
  assert.deepEqual(JSON.parse(meta.labels!), data.classes);
  assert.equal(meta.input_size, '96');
  assert.deepEqual(JSON.parse(meta.preprocessing!), { kind: 'unit' });
  assert.equal(meta.preprocessing_text, 'pixel / 255, into [0, 1]');
  assert.equal(meta.preprocessing_in_graph, 'true');
  assert.equal(meta.background, IMAGE_BACKGROUND);
  assert.deepEqual([meta.backbone_id, meta.run_id, meta.config_digest], ['nsfwjs_mobilenet_v2', '42', 'abc']);
  assert.match(meta.backbone_hash!, /^[0-9a-f]{16,}$/);

  const exp = await loadExport(outDir);
  assert.match(exp.runtime, /^onnxruntime-/);
  const { rows, problems } = await predictFiles(exp, [...data.test.map((i) => i.path), join(root, 'missing.png')], {
    batchSize: 4,
  });
  await exp.dispose();
  assert.equal(problems.length, 1);
  assert.equal(rows.length, data.test.length);
  rows.forEach((r, i) => {
    const p = predictions[i]!;
    assert.equal(r.predicted, data.classes[p.predicted]);
    r.probs.forEach((v, k) =>
      assert.ok(Math.abs(v - p.probs[k]!) < 1e-4, `image ${i} class ${k}: ${v} vs ${p.probs[k]}`),
    );
  });
  const csv = predictionsCsv(data.classes, rows).trim().split('\n');
  assert.equal(csv[0], 'path,predicted,confidence,rows,columns');
  assert.equal(csv.length, 1 + data.test.length);
});

test('an ONNX graph that differs from its tfjs model fails the export with the difference, and is not kept', async () => {
  const dense = (seed: number) => {
    const input = tf.input({ shape: [8, 8, 3] });
    const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
      .apply(pooled) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  };
  const facts = {
    version: 1 as const,
    labels: ['a', 'b'],
    labelType: 'single' as const,
    backboneId: 'x',
    backboneHash: 'y',
    inputSize: 8,
    preprocessing: { kind: 'symmetric' as const },
    preprocessingText: 't',
    runId: '1',
    configDigest: 'd',
  };
  const dir = join(root, 'mismatch');
  await mkdir(dir, { recursive: true });
  const good = dense(1);
  assert.equal((await writeOnnxExport(good, facts, dir)).format, ONNX_EXPORT_FORMAT, 'the same model passes');
  // A model whose predict() gives other values than the graph exported from its layers.
  const other = dense(2);
  const liar = Object.assign(Object.create(Object.getPrototypeOf(good)) as tf.LayersModel, good, {
    predict: (x: tf.Tensor) => other.predict(x),
  });
  await assert.rejects(
    writeOnnxExport(liar, facts, dir),
    /ONNX export check failed: .*differ from tfjs' by [\d.e+-]+ \(relative\), above 0\.0001/,
  );
  assert.ok(!existsSync(join(dir, 'model.onnx')), 'a graph that failed its check is removed');
});

test('a tfjs export still loads and predicts through tfjs, and says so', async () => {
  const dirs = { featureCache: join(root, 'features'), modelCache: join(root, 'models'), run: join(root, 'runs', 'b') };
  const cfg = RunConfig.parse({ ...config, phase2: undefined, phase1: { ...config.phase1, epochs: 1 } });
  let predictions: Prediction[] = [];
  const result = await runTraining(cfg, data, {
    dirs,
    backend,
    emit: (e) => void (e.type === 'predictions' && (predictions = e.rows)),
  });
  const outDir = join(dirs.run, 'export');
  const manifest = await exportRun({
    type: 'export',
    config: cfg,
    classes: data.classes,
    checkpoint: result.checkpoint,
    outDir,
    runId: '7',
    configDigest: 'abc',
    modelCache: dirs.modelCache,
  });
  assert.equal(manifest.model, 'model.json');
  const exp = await loadExport(outDir);
  assert.equal(exp.runtime, tf.getBackend());
  const { rows } = await predictFiles(
    exp,
    data.test.map((i) => i.path),
  );
  rows.forEach((r, i) => r.probs.forEach((v, k) => assert.ok(Math.abs(v - predictions[i]!.probs[k]!) < 1e-4)));
});
