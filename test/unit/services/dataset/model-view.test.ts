// "As the model sees it": the viewer gets, losslessly, the very pixels the engine's
// loadImage gives the backbone, transparency composited and stretched to the input size.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { StudioError } from '../../../../src-shared/errors';
import { selectBackend } from '../../../../src-node-shared/backend';
import { loadImage } from '../../../../src-node-shared/data/images';
import { modelView } from '../../../../src-main/services/dataset/model-view';
import { migrate, type Database } from '../../../../src-main/store/db';
import { insertImage, upsertPath } from '../../../../src-main/store/repos/images';
import { createImport } from '../../../../src-main/store/repos/imports';

const dir = mkdtempSync(join(tmpdir(), 'fs-model-view-'));
const db: Database = new BetterSqlite3(':memory:');
let imageId = 0;
let goneId = 0;
const file = join(dir, 'wide.png');

/** 60x30 RGBA: a red bar on the left half, transparent elsewhere. Not square, so the stretch shows. */
async function writeWide(path: string): Promise<void> {
  const [w, h] = [60, 30];
  const px = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x < 30) px.set([220, 10, 10, 255], (y * w + x) * 4);
  await sharp(px, { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toFile(path);
}

before(async () => {
  await selectBackend({ prefer: 'cpu' });
  db.pragma('foreign_keys = ON');
  migrate(db);
  await writeWide(file);
  const importId = createImport(db, dir, 1, 1);
  const row = (n: number) => ({
    hash: n.toString(16).padStart(64, '0'),
    classId: null,
    split: null,
    width: 60,
    height: 30,
    format: 'png',
    bytes: 1,
    addedAt: 1,
    importId,
  });
  imageId = insertImage(db, row(1));
  upsertPath(db, join(dir, 'moved-away.png'), imageId, { size: 1, mtimeMs: 1 }, importId);
  upsertPath(db, file, imageId, { size: 1, mtimeMs: 1 }, importId);
  goneId = insertImage(db, row(2));
  upsertPath(db, join(dir, 'gone.png'), goneId, { size: 1, mtimeMs: 1 }, importId);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the model view is loadImage's pixels, byte for byte, at the input size", async () => {
  const view = await modelView(db, imageId, 48);
  assert.deepEqual([view.width, view.height], [48, 48], 'stretched to a square, as the engine does');
  const { data, info } = await sharp(Buffer.from(view.png, 'base64')).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  const engine = await loadImage(file, 48);
  assert.deepEqual(Array.from(data), Array.from(await engine.data()));
  engine.dispose();
  const at = (x: number, y: number) => Array.from(data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3));
  assert.deepEqual(at(2, 10), [220, 10, 10], 'the bar');
  assert.deepEqual(at(45, 10), [255, 255, 255], 'transparency on the background, not black');
});

test('an image with no file left on disk, or no image at all, is a clear not-found', async () => {
  await assert.rejects(
    modelView(db, goneId, 32),
    (err: StudioError) => err.code === 'not-found' && err.message.includes('gone.png'),
  );
  await assert.rejects(
    modelView(db, 999, 32),
    (err: StudioError) => err.code === 'not-found' && /no image 999/.test(err.message),
  );
});
