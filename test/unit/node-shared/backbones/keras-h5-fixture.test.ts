// The real Keras 2.0.4 ImageNet file for MobileNet alpha 0.25 loads into the network built
// from code; the values are checked against the datasets read straight from h5wasm.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import type { Dataset, Group } from 'h5wasm/node';
import { selectBackend } from '../../../../src-node-shared/backend';
import { mobilenet } from '../../../../src-node-shared/backbones/arch/mobilenet';
import { applyKerasWeights } from '../../../../src-node-shared/backbones/keras-h5-apply';
import { readKerasH5 } from '../../../../src-node-shared/backbones/keras-h5-read';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/keras');
const FILE = join(FIXTURES, 'mobilenet_2_5_224_tf_no_top.h5');

before(async () => {
  await selectBackend({ prefer: 'wasm' });
});

test('the fixture is the file its README describes (md5, sha256, size)', () => {
  const readme = readFileSync(join(FIXTURES, 'README.md'), 'utf8');
  const bytes = readFileSync(FILE);
  const md5 = readme.match(/md5 `([0-9a-f]{32})`/)![1];
  const sha256 = readme.match(/sha256\s+`([0-9a-f]{64})`/)![1];
  const size = Number(readme.match(/\(([\d,]+) bytes\)/)![1]!.replace(/,/g, ''));
  assert.equal(createHash('md5').update(bytes).digest('hex'), md5);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), sha256);
  assert.equal(bytes.length, size);
});

/** The file's weights by `layer/weight name`, read with h5wasm alone (not through the loader). */
async function datasetsOf(path: string): Promise<Map<string, { shape: number[]; values: Float32Array }>> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  try {
    for (const layer of f.attrs.layer_names!.value as string[]) {
      const names = (f.get(layer) as Group).attrs.weight_names!.value;
      if (!Array.isArray(names)) continue;
      for (const n of names as string[]) {
        const ds = f.get(`${layer}/${n}`) as Dataset;
        out.set(n, { shape: ds.shape!, values: ds.value as Float32Array });
      }
    }
  } finally {
    f.close();
  }
  return out;
}

test('MobileNet alpha 0.25 built from code takes every weight of the Keras 2.0.4 file, value for value', async () => {
  const file = await readKerasH5(FILE);
  assert.deepEqual([file.kerasVersion, file.backend, file.layout], ['2.0.4', 'tensorflow', 'keras2']);
  const model = mobilenet.build({ inputSize: 224, alpha: 0.25 });
  try {
    assert.equal(model.countParams(), 218_544);
    const applied = applyKerasWeights(model, file, FILE);
    assert.deepEqual(applied, { layers: 54, tensors: 135, params: 218_544 });

    const datasets = await datasetsOf(FILE);
    assert.equal(datasets.size, 135);
    let checked = 0;
    for (const layer of model.layers) {
      for (const v of layer.weights) {
        // Keras 2 names the dataset after the layer and the variable: conv_pw_3_bn/moving_mean:0.
        const ds = datasets.get(`${layer.name}/${v.originalName.split('/').pop()}:0`);
        assert.ok(ds, `no dataset for ${v.originalName}`);
        assert.deepEqual(v.shape, ds.shape);
        assert.deepEqual(v.read().dataSync(), ds.values, v.originalName);
        checked += 1;
      }
    }
    assert.equal(checked, 135);
  } finally {
    model.dispose();
  }
});

test("MobileNet alpha 0.5 is refused with the first convolutions' shapes, and keeps its weights", async () => {
  const file = await readKerasH5(FILE);
  const model = mobilenet.build({ inputSize: 224, alpha: 0.5 });
  try {
    const kernel = model.getLayer('conv1').weights[0]!;
    const before = Float32Array.from(kernel.read().dataSync() as Float32Array);
    const tensors = tf.memory().numTensors;
    assert.throws(
      () => applyKerasWeights(model, file, FILE),
      (err: Error) =>
        err.message.includes(FILE) &&
        err.message.includes(
          'layer conv1 (file: conv1): kernel is [3,3,3,16] in the model but [3,3,3,8] in the file',
        ) &&
        err.message.includes(
          'layer conv_pw_13 (file: conv_pw_13): kernel is [1,1,512,512] in the model but [1,1,256,256] in the file',
        ) &&
        /alpha/.test(err.message),
    );
    assert.deepEqual(kernel.read().dataSync(), before);
    assert.equal(tf.memory().numTensors, tensors, 'a refused file creates no tensor');
  } finally {
    model.dispose();
  }
});
