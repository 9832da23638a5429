import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cachedWeights,
  importWeightsFile,
  isPresent,
  modelCacheDir,
  removeWeights,
  weightsPath,
  writeSidecar,
} from '../../../../src-node-shared/backbones/model-cache';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fs-model-cache-'));
}

/** A source file larger than one read-stream chunk (64 KiB), so hashing spans chunks. */
function sourceFile(dir: string, bytes = 300_000): { path: string; data: Buffer } {
  const data = randomBytes(bytes);
  const path = join(dir, 'user-weights.h5');
  writeFileSync(path, data);
  return { path, data };
}

test('modelCacheDir: STUDIO_MODEL_CACHE wins, then the caller folder, then XDG_CACHE_HOME, then ~/.cache', () => {
  const home = '/home/ann';
  assert.equal(
    modelCacheDir('/app/userData/models', { STUDIO_MODEL_CACHE: '/srv/models', XDG_CACHE_HOME: '/x' }, home),
    '/srv/models',
  );
  assert.equal(modelCacheDir('/app/userData/models', { XDG_CACHE_HOME: '/x' }, home), '/app/userData/models');
  assert.equal(modelCacheDir(undefined, { XDG_CACHE_HOME: '/x/cache' }, home), '/x/cache/finetune-studio/models');
  assert.equal(modelCacheDir(undefined, {}, home), '/home/ann/.cache/finetune-studio/models');
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  assert.equal(
    modelCacheDir(undefined, { XDG_CACHE_HOME: 'rel/cache' }, home),
    '/home/ann/.cache/finetune-studio/models',
  );
  assert.equal(modelCacheDir(undefined, { STUDIO_MODEL_CACHE: '' }, home), '/home/ann/.cache/finetune-studio/models');
});

test('weightsPath refuses names that leave the cache or collide with sidecars, parts and temp files', () => {
  assert.equal(weightsPath('/c', 'resnet50_notop.h5'), join('/c', 'resnet50_notop.h5'));
  for (const bad of ['../x.h5', 'a/b.h5', 'a\\b.h5', '.hidden.h5', 'x.h5.json', 'x.h5.part', '']) {
    assert.throws(() => weightsPath('/c', bad), /not a valid weight file name/, bad);
  }
});

test('importWeightsFile copies under the target name with the right hashes and leaves no temp file', async () => {
  const work = tempDir();
  const cache = join(work, 'nested', 'models');
  const { path, data } = sourceFile(work);
  const entry = await importWeightsFile(path, 'mobilenet_1_0_224_tf_no_top.h5', cache);

  assert.deepEqual(readFileSync(join(cache, 'mobilenet_1_0_224_tf_no_top.h5')), data);
  assert.equal(entry.md5, createHash('md5').update(data).digest('hex'));
  assert.equal(entry.sha256, createHash('sha256').update(data).digest('hex'));
  assert.equal(entry.bytes, data.length);
  assert.equal(entry.source, 'import');
  assert.equal(entry.importedFrom, path);
  assert.ok(!Number.isNaN(Date.parse(entry.addedAt)));
  assert.deepEqual(JSON.parse(readFileSync(join(cache, 'mobilenet_1_0_224_tf_no_top.h5.json'), 'utf8')), entry);
  assert.deepEqual(readdirSync(cache).sort(), [
    'mobilenet_1_0_224_tf_no_top.h5',
    'mobilenet_1_0_224_tf_no_top.h5.json',
  ]);
  assert.equal(isPresent(cache, 'mobilenet_1_0_224_tf_no_top.h5'), true);
});

test('importWeightsFile hashes a real Keras file to its published md5', async () => {
  const fixture = ['test/fixtures/keras', '../shared/fixtures/keras']
    .map((d) => join(d, 'mobilenet_2_5_224_tf_no_top.h5'))
    .find((p) => existsSync(p));
  assert.ok(fixture, 'the Keras fixture mobilenet_2_5_224_tf_no_top.h5 is missing');
  const entry = await importWeightsFile(fixture, 'mobilenet_2_5_224_tf_no_top.h5', tempDir());
  assert.equal(entry.md5, 'f313cee49f5d33dfb06f2b255c4adb64');
  assert.equal(entry.bytes, 2_108_140);
});

test('a failed import leaves the earlier copy present and no temp file behind', async () => {
  const work = tempDir();
  const cache = join(work, 'models');
  const { path, data } = sourceFile(work);
  await importWeightsFile(path, 'w.h5', cache);
  await assert.rejects(
    importWeightsFile(join(work, 'missing.h5'), 'w.h5', cache),
    /cannot import .*missing\.h5 as w\.h5/,
  );
  assert.deepEqual(readdirSync(cache).sort(), ['w.h5', 'w.h5.json']);
  assert.deepEqual(readFileSync(join(cache, 'w.h5')), data);
  assert.equal(isPresent(cache, 'w.h5'), true);
});

test('importing again replaces the file and its sidecar', async () => {
  const work = tempDir();
  const cache = join(work, 'models');
  await importWeightsFile(sourceFile(work, 1000).path, 'w.h5', cache);
  const second = sourceFile(work, 2000);
  const entry = await importWeightsFile(second.path, 'w.h5', cache);
  assert.equal(entry.bytes, 2000);
  assert.deepEqual(cachedWeights(cache), [entry]);
  assert.deepEqual(readFileSync(join(cache, 'w.h5')), second.data);
});

test('only files with a matching sidecar are present and listed', async () => {
  const work = tempDir();
  const cache = join(work, 'models');
  const imported = await importWeightsFile(sourceFile(work).path, 'b.h5', cache);
  writeFileSync(join(cache, 'no-sidecar.h5'), 'x');
  writeFileSync(join(cache, 'c.h5.part'), 'partial');
  writeFileSync(join(cache, 'bad.h5'), 'x');
  writeFileSync(join(cache, 'bad.h5.json'), '{ not json');
  // A sidecar whose size disagrees with the file: the file was replaced behind the cache's back.
  writeFileSync(join(cache, 'short.h5'), 'abc');
  await writeSidecar(cache, { ...imported, file: 'short.h5', bytes: 4 });
  // A sidecar whose file is gone.
  await writeSidecar(cache, { ...imported, file: 'gone.h5' });
  const { sha256, md5 } = imported;
  writeFileSync(join(cache, 'a.h5'), 'abcd');
  await writeSidecar(cache, {
    file: 'a.h5',
    source: 'download',
    url: 'http://x/a.h5',
    bytes: 4,
    sha256,
    md5,
    addedAt: new Date(0).toISOString(),
  });

  assert.deepEqual(
    cachedWeights(cache).map((e) => e.file),
    ['a.h5', 'b.h5'],
  );
  for (const f of ['no-sidecar.h5', 'c.h5', 'bad.h5', 'short.h5', 'gone.h5'])
    assert.equal(isPresent(cache, f), false, f);
  assert.equal(isPresent(cache, 'a.h5'), true);
  assert.deepEqual(cachedWeights(join(work, 'does-not-exist')), []);
});

test('removeWeights deletes the file, its sidecar and a partial download', async () => {
  const work = tempDir();
  const cache = join(work, 'models');
  mkdirSync(cache);
  await importWeightsFile(sourceFile(work).path, 'w.h5', cache);
  writeFileSync(join(cache, 'w.h5.part'), 'partial');
  assert.equal(await removeWeights(cache, 'w.h5'), true);
  assert.deepEqual(readdirSync(cache), []);
  assert.equal(await removeWeights(cache, 'w.h5'), false);
});
