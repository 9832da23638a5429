// The bytes every front door (the server, Electron's studio:// protocol) sends for an image:
// always the studio's own encoding, never a raw file. An original is read once, its content
// hash checked against the one stored at import (a file swapped since, say for an SVG with
// the same name, is refused), then decoded from those same bytes and re-encoded as WebP, so
// what was checked is what is shown. Thumbnails are JPEGs the studio wrote itself.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { imageIdByHash, imagePaths } from '../../store/repos/images';
import { PIXEL_LIMIT } from '../import/decode';
import type { Project } from '../project/project';
import { isContentHash, thumbPath } from '../project/thumbs';

/** Big enough for a 4K screen, small enough to encode quickly. */
const MAX_SIDE = 2048;

export type Viewable =
  | { ok: true; type: 'image/webp' | 'image/jpeg'; body: Buffer; cacheControl: string }
  | { ok: false; status: 400 | 404 | 409 | 422; message: string };

const refuse = (status: 400 | 404 | 409 | 422, message: string): Viewable => ({ ok: false, status, message });

export async function viewableImage(p: Project | null, kind: string, hash: string): Promise<Viewable> {
  if (!isContentHash(hash) || (kind !== 'thumb' && kind !== 'image')) return refuse(400, 'Bad image address.');
  if (!p) return refuse(404, 'No project is open.');
  return kind === 'thumb' ? viewableThumb(p, hash) : viewableOriginal(p, hash);
}

async function viewableThumb(p: Project, hash: string): Promise<Viewable> {
  const file = thumbPath(p, hash);
  if (!file) return refuse(404, 'No such image in the open project.');
  const body = await readOrNull(file);
  if (!body) return refuse(404, 'No such image in the open project.');
  // Content-addressed by the original's hash, so only its format can be checked: a JPEG's magic.
  if (!(body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff))
    return refuse(409, 'The thumbnail is not one the studio made; import the folder again.');
  return { ok: true, type: 'image/jpeg', body, cacheControl: 'public, max-age=31536000, immutable' };
}

async function viewableOriginal(p: Project, hash: string): Promise<Viewable> {
  const id = imageIdByHash(p.db, hash);
  if (id === null) return refuse(404, 'No such image in the open project.');
  let changed = false;
  for (const path of imagePaths(p.db, id)) {
    const buf = await readOrNull(path);
    if (!buf) continue;
    if (createHash('sha256').update(buf).digest('hex') !== hash) {
      changed = true;
      continue;
    }
    return reencode(buf);
  }
  if (changed) return refuse(409, 'The file changed since import; import its folder again to see it.');
  return refuse(404, "The image's file is no longer on disk.");
}

/** Decoded with EXIF orientation applied, so TIFF and other formats a browser can't show still display. */
async function reencode(buf: Buffer): Promise<Viewable> {
  try {
    const body = await sharp(buf, { animated: false, limitInputPixels: PIXEL_LIMIT })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 90 })
      .toBuffer();
    return { ok: true, type: 'image/webp', body, cacheControl: 'no-cache' };
  } catch {
    return refuse(422, 'The image could not be decoded.');
  }
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch {
    return null; // Gone or unreadable: the next recorded path may still be there.
  }
}
