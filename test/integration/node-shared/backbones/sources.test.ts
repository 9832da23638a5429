import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { loadBackbone, extractFeatures } from '../../../../src-training/backbones/load';
import type { BackboneEntry } from '../../../../src-node-shared/backbones/registry';
import { findBackbone } from '../../../../src-node-shared/backbones/registry';
import { splitBackbone } from '../../../../src-training/backbones/split';
import type { DownloadProgress } from '../../../../src-node-shared/backbones/sources';

const root = mkdtempSync(join(tmpdir(), 'fs-sources-'));
const modelDir = join(root, 'model');
let server: Server;
let baseUrl = '';
const requests: string[] = [];

// A tiny functional CNN with a classifier on top, saved as a tfjs layers model folder.
async function writeTinyModel(): Promise<void> {
  const input = tf.input({ shape: [16, 16, 3], name: 'input_1' });
  const c1 = tf.layers.conv2d({ name: 'b1_conv', filters: 4, kernelSize: 3, padding: 'same' }).apply(input);
  const b1 = tf.layers.activation({ name: 'b1_out', activation: 'relu' }).apply(c1);
  const c2 = tf.layers.conv2d({ name: 'b2_conv', filters: 6, kernelSize: 3, strides: 2, padding: 'same' }).apply(b1);
  const bn = tf.layers.batchNormalization({ name: 'b2_bn' }).apply(c2);
  const b2 = tf.layers.activation({ name: 'b2_out', activation: 'relu' }).apply(bn) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(b2);
  const out = tf.layers
    .dense({ name: 'classifier', units: 3, activation: 'softmax' })
    .apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(modelDir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(modelDir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      writeFileSync(
        join(modelDir, 'model.json'),
        JSON.stringify({
          modelTopology: a.modelTopology,
          format: 'layers-model',
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

function entry(source: BackboneEntry['source']): BackboneEntry {
  return {
    id: 'tiny',
    label: 'tiny test net',
    tuning: 'custom',
    inputSize: 16,
    preprocessing: { kind: 'symmetric' },
    featureLayer: 'b2_out',
    blocks: [
      { name: 'b1', lastLayer: 'b1_out' },
      { name: 'b2', lastLayer: 'b2_out' },
    ],
    source,
  };
}

before(async () => {
  await selectBackend({ prefer: 'cpu' });
  await writeTinyModel();
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    try {
      const body = readFileSync(join(modelDir, (req.url ?? '/').slice(1)));
      res.writeHead(200, { 'content-length': body.byteLength });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${addr.port}`;
});

after(() => server.close());

test('a URL backbone downloads once, with progress, then loads from the cache', async () => {
  const progress: DownloadProgress[] = [];
  const cache = join(root, 'models');
  const first = await loadBackbone(entry({ kind: 'url', url: `${baseUrl}/model.json` }), {
    downloadCacheDir: cache,
    onProgress: (p) => progress.push(p),
  });
  assert.deepEqual(first.featureShape, [8, 8, 6]);
  assert.deepEqual(requests, ['/model.json', '/weights.bin']);
  const last = progress.at(-1)!;
  assert.equal(last.file, 'weights.bin');
  assert.equal(last.fileBytes, last.fileTotal);
  assert.ok(last.bytes > last.fileBytes, 'overall bytes include model.json');
  const again = await loadBackbone(entry({ kind: 'url', url: `${baseUrl}/model.json` }), { downloadCacheDir: cache });
  assert.equal(requests.length, 2, 'the second load makes no request');
  assert.equal(again.hash, first.hash);
});

test('a folder backbone is cut at its feature layer and split at a block boundary', async () => {
  const bb = await loadBackbone(entry({ kind: 'folder', path: modelDir }));
  assert.ok(!bb.features.layers.some((l) => l.name === 'classifier'), 'the original classifier is not built');
  const x = tf.randomUniform([2, 16, 16, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
  const whole = extractFeatures(bb, x);
  const split = splitBackbone(bb, 1);
  assert.equal(split.splitLayer, 'b1_out');
  const parts = split.suffix.predict(split.prefix.predict(tf.sub(tf.div(x, 127.5), 1))) as tf.Tensor;
  assert.ok(tf.max(tf.abs(tf.sub(whole, parts))).dataSync()[0]! < 1e-5);
  assert.throws(() => splitBackbone(bb, 2), /choose 1\.\.1/);
});

test('errors name the file or field and say what to do', async () => {
  await assert.rejects(
    loadBackbone(entry({ kind: 'folder', path: join(root, 'nope') })),
    /cannot read .*model\.json.*tfjs layers model\.json/,
  );
  await assert.rejects(
    loadBackbone({ ...entry({ kind: 'folder', path: modelDir }), featureLayer: 'missing' }),
    /feature layer "missing" is not in the model; fix featureLayer/,
  );
  await assert.rejects(loadBackbone(entry({ kind: 'url', url: `${baseUrl}/model.json` })), /needs downloadCacheDir/);
  await assert.rejects(
    loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: 100 }),
    /input size 100 is not supported; use one of 96, 128, 160, 192, 224/,
  );
  assert.throws(
    () => findBackbone('resnet_nope'),
    /backbone "resnet_nope" is not in the registry; known backbones: mobilenet_v2, .*resnet50.*nsfwjs_mobilenet_v2/,
  );
});
