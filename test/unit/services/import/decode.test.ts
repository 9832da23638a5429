import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeImage, ThumbWriter } from '../../../../src-main/services/import/decode';
import { decodeProblem, endsEarly } from '../../../../src-main/services/import/reasons';
import { thumbTempDir } from '../../../../src-main/services/project/project';
import { thumbFile } from '../../../../src-main/services/project/thumbs';
import { makeBombPng, makeImage, type Format } from '../../../fixtures/images';

const thumbsDir = mkdtempSync(join(tmpdir(), 'studio-decode-'));
mkdirSync(thumbTempDir(thumbsDir), { recursive: true });
after(() => rmSync(thumbsDir, { recursive: true, force: true }));
const thumbs = new ThumbWriter(thumbsDir);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('decodeImage', () => {
  test('reads size and format, and writes the thumbnail once', async () => {
    const buf = await makeImage(1, 'png', 300, 200);
    const hash = sha(buf);
    assert.deepEqual(await decodeImage(buf, '/d/a.png', hash, thumbs), {
      ok: true,
      width: 300,
      height: 200,
      format: 'png',
    });
    const made = statSync(thumbFile(thumbsDir, hash)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await decodeImage(buf, '/d/a.png', hash, thumbs);
    assert.equal(statSync(thumbFile(thumbsDir, hash)).mtimeMs, made, 'not made twice');
  });

  test('truncated files of each format are called truncated, even when decoded side by side', async () => {
    const formats: Format[] = ['jpeg', 'png', 'webp', 'gif'];
    const names = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF' } as Record<Format, string>;
    const cut = await Promise.all(formats.map(async (f, i) => (await makeImage(10 + i, f, 200, 150)).subarray(0, 600)));
    // Several at once: libvips's error text is shared between threads.
    const results = await Promise.all(
      cut.flatMap((buf, i) => [0, 1, 2].map(() => decodeImage(buf, `/d/x.${formats[i]}`, sha(buf), thumbs))),
    );
    results.forEach((r, k) => {
      const name = names[formats[Math.floor(k / 3)]];
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.kind, 'corrupt');
        assert.match(r.reason, new RegExp(`^Truncated ${name}: the file ends before the image data does`));
      }
    });
  });

  test('a decompression bomb is refused from its header, naming its size', async () => {
    const bomb = makeBombPng(20000, 20000);
    assert.ok(bomb.length < 200_000, 'small on disk');
    const r = await decodeImage(bomb, '/d/bomb.png', sha(bomb), thumbs);
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.match(r.reason, /^Too large: 20000 x 20000 pixels \(400 megapixels\) is over the 179-megapixel limit/);
  });
});

describe('reasons', () => {
  test("endsEarly knows each format's end marker", async () => {
    for (const f of ['jpeg', 'png', 'webp', 'gif'] as const) {
      const whole = await makeImage(20, f);
      assert.equal(endsEarly(whole, f), false, f);
      assert.equal(endsEarly(whole.subarray(0, whole.length - 3), f), true, f);
    }
    assert.equal(endsEarly(Buffer.from('II*\0'), 'tiff'), false, 'unknown: say nothing');
  });

  test('decodeProblem picks the telling line out of libvips chatter', () => {
    const chatter = new Error(
      'source: bad seek to 1024\nsource: bad seek to 960\nVipsJpeg: Corrupt JPEG data: bad Huffman code',
    );
    assert.equal(
      decodeProblem(chatter, '/d/a.jpg', 'jpeg').reason,
      'Damaged JPEG: the image data can’t be decoded. Re-export or re-download it. (decoder: VipsJpeg: Corrupt JPEG data: bad Huffman code)',
    );
    assert.equal(
      decodeProblem(new Error('Input buffer contains unsupported image format'), '/d/a.tif').kind,
      'not-an-image',
    );
  });
});
