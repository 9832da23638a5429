import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { backboneManifestJson, MANIFEST_PATH } from '../../scripts/backbone-manifest';
import type { ManifestEntry } from '../../scripts/backbone-manifest';
import { builtinBackbones } from '../../src-node-shared/backbones/registry';

test('the committed backbone manifest is what the script generates from the registry', () => {
  assert.equal(
    readFileSync(MANIFEST_PATH, 'utf8'),
    backboneManifestJson(),
    'run: npx tsx scripts/backbone-manifest.ts',
  );
});

test('the manifest lists every backbone once, with Keras weight files where the weights are downloaded', () => {
  const { backbones } = JSON.parse(backboneManifestJson()) as { backbones: ManifestEntry[] };
  assert.deepEqual(
    backbones.map((b) => b.id),
    builtinBackbones.map((b) => b.id),
  );
  assert.equal(new Set(backbones.map((b) => b.id)).size, backbones.length);
  for (const b of backbones) {
    if (b.source === 'keras')
      assert.ok(
        b.weights.length > 0 && b.weights.every((w) => w.url.startsWith('https://') && w.url.endsWith(`/${w.file}`)),
        b.id,
      );
    else assert.deepEqual(b.weights, [], b.id);
  }
  const resnet = backbones.find((b) => b.id === 'resnet50')!;
  assert.deepEqual(resnet.weights, [
    {
      file: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
      url: 'https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
      fileHash: '4d473c1dd8becc155b73f8504c6f6626',
    },
  ]);
  assert.equal(backbones.find((b) => b.id === 'nsfwjs_mobilenet_v2')!.bundledModel, 'mobilenet_v2');
});
