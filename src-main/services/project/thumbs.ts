// Thumbnails are content-addressed: thumbs/<first 2 hex>/<sha256>.jpg, one per distinct image.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hashExists } from '../../store/repos/images';
import type { Project } from './project';

const HASH = /^[0-9a-f]{64}$/;

export const THUMB_SIDE = 256;

export function isContentHash(hash: string): boolean {
  return HASH.test(hash);
}

/** Where an image's thumbnail lives (or will); the hash must already be validated. */
export function thumbFile(thumbsDir: string, hash: string): string {
  return join(thumbsDir, hash.slice(0, 2), `${hash}.jpg`);
}

/**
 * The thumbnail to serve for a hash, or null. Only a well-formed hash of an image in this
 * project is answered, so a request can never name another file on disk.
 */
export function thumbPath(p: Project, hash: string): string | null {
  if (!isContentHash(hash) || !hashExists(p.db, hash)) return null;
  const file = thumbFile(p.thumbsDir, hash);
  return existsSync(file) ? file : null;
}
