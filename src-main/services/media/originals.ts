// The original file behind an image, for the viewer: the first of its recorded paths that is
// still on disk. Only a well-formed hash of this project is answered, as with thumbnails.
import { existsSync } from 'node:fs';
import { imageIdByHash, imagePaths } from '../../store/repos/images';
import type { Project } from '../project/project';
import { isContentHash } from '../project/thumbs';

export function originalPath(p: Project, hash: string): string | null {
  if (!isContentHash(hash)) return null;
  const id = imageIdByHash(p.db, hash);
  if (id === null) return null;
  return imagePaths(p.db, id).find((path) => existsSync(path)) ?? null;
}
