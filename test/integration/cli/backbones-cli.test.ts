// `studio backbones` on the command line: the registry with where weights are, an import
// of the real Keras file that is checked first, and the errors a user gets for a file of
// another architecture or a download with no network.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { studio } from '../import/cli-run';

const FIXTURE = join(import.meta.dirname, '../../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');

describe('studio backbones', () => {
  let cache: string;
  const saved = { ...process.env };
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'studio-models-'));
    process.env.STUDIO_MODEL_CACHE = cache;
  });
  after(() => {
    process.env = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  const listed = () =>
    JSON.parse(studio('backbones', '--json').stdout) as Array<{
      id: string;
      recommended: boolean;
      params: number;
      weights: { present: boolean; source: string | null; sha256: string | null };
    }>;

  test('lists every backbone with its parameters; with an empty cache only the bundled ones are present', () => {
    const r = studio('backbones');
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /resnet50\s+ResNet50 \(ImageNet\)\s+23\.59M\s+224 \(32\+\)\s+caffe\s+17: conv1\.\.conv5_block3\s+missing \(resnet50_weights_tf_dim_ordering_tf_kernels_notop\.h5\)/,
    );
    const all = listed();
    assert.deepEqual(
      all
        .filter((b) => b.weights.present)
        .map((b) => b.id)
        .sort(),
      ['nsfwjs_inception_v3', 'nsfwjs_mobilenet_v2'],
    );
    assert.deepEqual(
      all.filter((b) => b.recommended).map((b) => b.id),
      ['nsfwjs_mobilenet_v2'],
    );
    assert.equal(all.find((b) => b.id === 'xception')!.params, 20_861_480);
  });

  test('refuses a file of another architecture, naming the layers, and keeps nothing', () => {
    const r = studio('backbones', 'import', FIXTURE, '--arch', 'mobilenet_v2');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /does not fit MobileNetV2 1\.0 \(ImageNet\).*nothing was loaded/s);
    assert.match(r.stderr, /only in the file: conv1, conv1_bn/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(readdirSync(cache), []);
  });

  test('imports the real Keras file after loading every layer, and it becomes the default', () => {
    const r = studio('backbones', 'import', FIXTURE, '--arch', 'mobilenet', '--alpha', '0.25');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /mobilenet_0\.25: .* checked \(54 layers, 218,544 parameters, Keras 2\.0\.4\)/);
    const entry = listed().find((b) => b.id === 'mobilenet_0.25')!;
    const sha = createHash('sha256').update(readFileSync(FIXTURE)).digest('hex');
    assert.deepEqual(
      [entry.weights.present, entry.weights.source, entry.weights.sha256, entry.recommended],
      [true, 'import', sha, true],
    );
  });

  test('a download with no network names the URL and how to import by hand', () => {
    process.env.STUDIO_WEIGHTS_BASE_URL = 'http://127.0.0.1:9';
    const r = studio('backbones', 'download', 'vgg16');
    delete process.env.STUDIO_WEIGHTS_BASE_URL;
    assert.equal(r.status, 1);
    assert.match(r.stderr, /http:\/\/127\.0\.0\.1:9\/vgg16\/vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5/);
    assert.match(r.stderr, /studio backbones import vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5 --arch vgg16/);
    assert.equal(listed().find((b) => b.id === 'vgg16')!.weights.present, false);
  });
});
