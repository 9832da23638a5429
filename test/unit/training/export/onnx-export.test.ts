// The ONNX export's preprocessing node does what preprocess() does for every kind (the
// caffe kind's channel flip included), checked on ONNX Runtime; old tfjs manifests parse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { preprocessingAffine, verifyOnnxExport, writeOnnxExport } from '../../../../src-training/export/onnx-export';
import { preprocess } from '../../../../src-node-shared/data/preprocess';
import { ExportManifest } from '../../../../src-shared/engine-export';
import type { PreprocessingSpec } from '../../../../src-shared/engine-export';

const dir = mkdtempSync(join(tmpdir(), 'fs-onnx-model-export-'));
const KINDS: PreprocessingSpec[] = [
  { kind: 'unit' },
  { kind: 'symmetric' },
  { kind: 'caffe' },
  { kind: 'caffe', meanBgr: [10, 20, 30] },
  { kind: 'torch' },
  { kind: 'raw' },
];

before(async () => {
  await selectBackend({ prefer: 'cpu' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the affine map read off preprocess() gives preprocess() for every kind', () => {
  const pixels = tf.randomUniform([50, 3], 0, 255, 'float32', 3);
  const px = pixels.arraySync() as number[][];
  for (const p of KINDS.filter((k) => k.kind !== 'raw')) {
    const { w, b } = preprocessingAffine(p)!;
    const want = preprocess(pixels, p).arraySync() as number[][];
    px.forEach((x, i) =>
      [0, 1, 2].forEach((c) => {
        const got = w[c]![0]! * x[0]! + w[c]![1]! * x[1]! + w[c]![2]! * x[2]! + b[c]!;
        assert.ok(
          Math.abs(got - want[i]![c]!) < 1e-4,
          `${JSON.stringify(p)} pixel ${i} channel ${c}: ${got} vs ${want[i]![c]}`,
        );
      }),
    );
  }
  assert.equal(preprocessingAffine({ kind: 'raw' }), null);
  pixels.dispose();
});

/** Channel-sensitive: a random 1x1 convolution, then global pooling and softmax. */
function tinyModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3] });
  const conv = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 1,
      kernelInitializer: tf.initializers.randomNormal({ seed }),
      biasInitializer: 'ones',
    })
    .apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: seed + 1 }) })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: `tiny_${seed}` });
}

/** What the export writes beside tinyModel's graph: three labels, 6 px, and the preprocessing under test. */
const tinyFacts = (preprocessing: PreprocessingSpec) => ({
  version: 1 as const,
  labels: ['a', 'b', 'c'],
  labelType: 'single' as const,
  backboneId: 'tiny',
  backboneHash: 'h',
  inputSize: 6,
  preprocessing,
  preprocessingText: 't',
  runId: '1',
  configDigest: 'd',
});

test('for every preprocessing kind the exported graph, fed raw pixels, matches tfjs fed preprocessed ones', async () => {
  for (const [i, p] of KINDS.entries()) {
    const out = join(dir, `kind-${i}`);
    mkdirSync(out);
    const model = tinyModel(i + 1);
    const manifest = await writeOnnxExport(model, tinyFacts(p), out);
    assert.equal(manifest.input.range, 'rgb-0-255');
    const d = await verifyOnnxExport(join(out, 'model.onnx'), model, p, 6);
    assert.ok(d < 1e-5, `${JSON.stringify(p)}: ${d}`);
  }
});

test('a graph checked against the wrong preprocessing is refused', async () => {
  const out = join(dir, 'wrong');
  mkdirSync(out);
  const model = tinyModel(9);
  await writeOnnxExport(model, tinyFacts({ kind: 'caffe' }), out);
  await assert.rejects(
    verifyOnnxExport(join(out, 'model.onnx'), model, { kind: 'torch' }, 6),
    /ONNX export check failed/,
  );
});

test('a tfjs manifest written before ONNX exports (no background) still parses', () => {
  const old = {
    format: 'finetune-studio/tfjs-layers',
    version: 1,
    labels: ['a', 'b'],
    labelType: 'single',
    backboneId: 'nsfwjs_mobilenet_v2',
    backboneHash: 'abc',
    inputSize: 224,
    preprocessing: { kind: 'unit' },
    preprocessingText: 'pixel / 255, into [0, 1]',
    model: 'model.json',
    runId: '3',
    configDigest: 'd',
  };
  assert.equal(ExportManifest.parse(old).format, 'finetune-studio/tfjs-layers');
  assert.equal(ExportManifest.safeParse({ ...old, model: 'model.onnx' }).success, false);
  assert.equal(
    ExportManifest.safeParse({ ...old, format: 'finetune-studio/onnx', model: 'model.onnx' }).success,
    false,
    'an ONNX manifest names its input',
  );
});
