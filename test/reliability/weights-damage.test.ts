// Damaged Keras weights (issue 19, point 7): bytes overwritten inside the weight data of the
// real MobileNet 0.25 ImageNet file are refused naming the layer, the good cached copy is
// left as it was, a different valid file replaces it only saying so, and a truncated file
// gives one line without HDF5's C diagnostics.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readKerasH5 } from '../../src-node-shared/backbones/keras-h5-read';
import { weightsPath } from '../../src-node-shared/backbones/model-cache';
import { BackboneService } from '../../src-main/services/backbones/backbone-service';
import { StudioError } from '../../src-shared/errors';
import { STACK, studioRun, tempDir } from './helpers/store';

const GOOD = join(import.meta.dirname, '../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');
const ID = 'mobilenet_0.25';
const CACHED = 'mobilenet_2_5_224_tf_no_top.h5';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Where each tensor's float32 data starts in the file: found by searching its first 32 bytes. */
async function tensorOffsets(file: string): Promise<{ layer: string; name: string; at: number; bytes: number }[]> {
  const bytes = readFileSync(file);
  const h5 = await readKerasH5(file);
  return h5.layers.flatMap((l) =>
    l.weights
      .filter((w) => w.values.length >= 16)
      .map((w) => {
        const head = Buffer.from(w.values.buffer, w.values.byteOffset, 32);
        const at = bytes.indexOf(head);
        assert.ok(at > 0, `${l.name}/${w.name} is stored contiguously`);
        return { layer: l.name, name: w.name, at, bytes: w.values.length * 4 };
      }),
  );
}

/** A seeded xorshift: the same bytes on every run. */
function randomBytes(seed: number, n: number): Buffer {
  let x = seed >>> 0 || 1;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

let cache: string;
let work: string;
let service: BackboneService;
let goodSha: string;

before(async () => {
  cache = tempDir('weights-cache');
  work = tempDir('weights-work');
  service = new BackboneService({ cacheDir: cache });
  const out = await service.import({ file: GOOD, id: ID });
  assert.equal(out.replaced, null);
  goodSha = sha(readFileSync(GOOD));
});

function cachedSha(): string {
  return sha(readFileSync(weightsPath(cache, CACHED)));
}

async function refusal(file: string): Promise<string> {
  const err = await service.import({ file: file, id: ID }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StudioError, `${file} was accepted`);
  return err.message;
}

test('64 random bytes over the data of each of 8 tensors are refused, naming the layer; the cached file is unchanged', async () => {
  const good = readFileSync(GOOD);
  const tensors = await tensorOffsets(GOOD);
  const step = Math.floor(tensors.length / 8);
  for (let k = 0; k < 8; k++) {
    const t = tensors[k * step]!;
    const damaged = Buffer.from(good);
    const at = t.at + Math.min(t.bytes - 64, 4 * ((k * 97) % Math.max(1, (t.bytes - 64) / 4)));
    randomBytes(k + 1, 64).copy(damaged, at);
    const file = join(work, `damaged-${k}.h5`);
    writeFileSync(file, damaged);
    const message = await refusal(file);
    assert.match(message, /is damaged/, message);
    assert.ok(message.includes(file), message);
    assert.ok(message.includes(`layer ${t.layer}`), `${t.layer}/${t.name}: ${message}`);
    assert.doesNotMatch(message, /\.tmp/);
    assert.equal(cachedSha(), goodSha, `after ${t.layer}/${t.name} the cached file changed`);
  }
});

test('NaN in a kernel and a negative moving variance are refused with what is wrong', async () => {
  const good = readFileSync(GOOD);
  const tensors = await tensorOffsets(GOOD);
  const kernel = tensors.find((t) => /conv_pw_3\/kernel/.test(t.name))!;
  const variance = tensors.find((t) => /conv_dw_5_bn\/moving_variance/.test(t.name))!;
  const nan = Buffer.from(good);
  nan.writeFloatLE(Number.NaN, kernel.at + 40);
  writeFileSync(join(work, 'nan.h5'), nan);
  assert.match(
    await refusal(join(work, 'nan.h5')),
    /layer conv_pw_3 .*kernel holds NaN at index 10; every weight must be a finite number/,
  );
  const negative = Buffer.from(good);
  negative.writeFloatLE(-0.5, variance.at + 8);
  writeFileSync(join(work, 'negative.h5'), negative);
  assert.match(
    await refusal(join(work, 'negative.h5')),
    /layer conv_dw_5_bn .*moving_variance holds -5\.00e-1 at index 2; a variance cannot be negative/,
  );
  assert.equal(cachedSha(), goodSha);
});

test('a different, valid file replaces the cached one only saying so, and the old copy is kept', async () => {
  const other = Buffer.from(readFileSync(GOOD));
  const kernel = (await tensorOffsets(GOOD))[0]!;
  other.writeFloatLE(other.readFloatLE(kernel.at) * 1.01, kernel.at);
  const file = join(work, 'retrained.h5');
  writeFileSync(file, other);
  const out = await service.import({ file: file, id: ID });
  assert.ok(out.replaced, 'the answer names the replaced copy');
  assert.equal(out.replaced.sha256, goodSha);
  assert.equal(sha(readFileSync(out.replaced.keptAs)), goodSha);
  assert.equal(cachedSha(), sha(other));
  const again = await service.import({ file: file, id: ID });
  assert.equal(again.replaced, null, 'the same bytes again replace nothing');
  await service.import({ file: GOOD, id: ID });
  assert.equal(cachedSha(), goodSha);
});

test('a truncated file is refused by the CLI in one line, without HDF5-DIAG, and the cache keeps its copy', async () => {
  const cut = join(work, 'truncated.h5');
  writeFileSync(cut, readFileSync(GOOD).subarray(0, 1_000_000));
  process.env.STUDIO_MODEL_CACHE = cache;
  const r = await studioRun('backbones', 'import', cut, '--arch', 'mobilenet', '--alpha', '0.25');
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /HDF5-DIAG|#00\d:/);
  assert.doesNotMatch(r.stderr, STACK);
  assert.match(
    r.stderr,
    /truncated\.h5 has an HDF5 signature but HDF5 could not open it \(truncated file: eof = 1000000.*stored_eof = 2108140\)/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(cachedSha(), goodSha);
  assert.ok(existsSync(weightsPath(cache, CACHED)));
});
