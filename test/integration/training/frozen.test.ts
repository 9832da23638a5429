// Frozen inference on ONNX Runtime: the phase-1 features and the phase-2 split activations
// it computes equal tfjs' within 1e-4, it uses every core, and where the graph cannot be
// exported it falls back to tfjs and says why.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { selectBackend } from '../../../src-node-shared/backend';
import { loadBackbone } from '../../../src-training/backbones/load';
import type { Backbone } from '../../../src-training/backbones/load';
import { findBackbone } from '../../../src-node-shared/backbones/registry';
import { splitBackbone } from '../../../src-training/backbones/split';
import {
  computeFeatures,
  extractorRuntime,
  pooledExtractor,
  splitExtractor,
} from '../../../src-training/data/features';
import type { Extractor } from '../../../src-training/data/features';
import { range, rowOf } from '../../../src-training/data/batches';
import { ONNX_TOLERANCE, openFrozen } from '../../../src-training/frozen';
import type { ImageItem } from '../../../src-node-shared/data/images';

const dir = mkdtempSync(join(tmpdir(), 'fs-frozen-'));
let backbone: Backbone;
let items: ImageItem[];

before(async () => {
  await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
  backbone = await loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: 96 });
  items = [];
  for (let k = 0; k < 5; k++) {
    const path = join(dir, `img${k}.png`);
    const px = Buffer.alloc(48 * 48 * 3, 0).map((_, i) => (i * (k + 3) * 7) % 251);
    await sharp(px, { raw: { width: 48, height: 48, channels: 3 } })
      .png()
      .toFile(path);
    items.push({ hash: `frozen${k}`, source: path });
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

function maxRelative(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((row, i) =>
    row.forEach(
      (v, j) => ((diff = Math.max(diff, Math.abs(v - b[i]![j]!))), (scale = Math.max(scale, Math.abs(b[i]![j]!)))),
    ),
  );
  return diff / scale;
}

async function both(
  make: (prefer: 'onnx' | 'tfjs') => Extractor,
): Promise<{ onnx: Float32Array[]; tfjs: Float32Array[]; ex: Extractor }> {
  const ex = make('onnx');
  const run = async (e: Extractor, cache: string) => {
    const { rows } = await computeFeatures({ items, split: 'val', backbone, extractor: e, cacheDir: join(dir, cache) });
    return range(0, rows.size).map((i) => rowOf(rows, i));
  };
  return { onnx: await run(ex, `onnx-${ex.point}`), tfjs: await run(make('tfjs'), `tfjs-${ex.point}`), ex };
}

test('phase-1 features from ONNX Runtime equal tfjs within 1e-4, on every core', async () => {
  const { onnx, tfjs, ex } = await both((prefer) => pooledExtractor(backbone, 'avg', { prefer }));
  const info = await extractorRuntime(ex);
  assert.equal(info?.runtime, 'onnxruntime-cpu');
  assert.equal(info?.threads, availableParallelism());
  assert.equal(onnx[0]!.length, 1280);
  assert.ok(maxRelative(onnx, tfjs) <= ONNX_TOLERANCE, `relative difference ${maxRelative(onnx, tfjs)}`);
});

test("phase-2 split activations from ONNX Runtime equal tfjs' within 1e-4", async () => {
  const split = splitBackbone(backbone, 2);
  const { onnx, tfjs, ex } = await both((prefer) => splitExtractor(backbone, split, { prefer }));
  assert.equal((await extractorRuntime(ex))?.runtime, 'onnxruntime-cpu');
  assert.equal(
    onnx[0]!.length,
    split.splitShape.reduce((a, b) => a * b, 1),
  );
  assert.ok(maxRelative(onnx, tfjs) <= ONNX_TOLERANCE, `relative difference ${maxRelative(onnx, tfjs)}`);
});

test('a network ONNX cannot express runs on tfjs, with the reason kept', async () => {
  const input = tf.input({ shape: [8, 8, 3] });
  const up = tf.layers.upSampling2d({ size: [2, 2], name: 'grow' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: up });
  const runner = await openFrozen(model);
  assert.match(runner.info.runtime, /^tfjs-/);
  assert.match(runner.info.rejected[0]!.reason, /layer grow of class UpSampling2D is not supported/);
  const x = tf.ones([1, 8, 8, 3]) as tf.Tensor4D;
  assert.equal((await runner.run(x)).length, 16 * 16 * 3);
  x.dispose();
  model.dispose();
});
