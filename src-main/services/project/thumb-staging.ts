// An import's thumbnails wait in thumbs/.tmp until their image rows commit, and only then
// move into place, so a thumbnail in place always belongs to a stored image: a kill, a
// busy database or a full disk leaves no orphan behind. Names say whose and how far:
// <hash>.<pid>.tmp is being written, <hash>.<pid>.ready is whole and waits for its row.
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../store/db';
import { hashExists } from '../../store/repos/images';
import { isProcessAlive } from './process-alive';
import { thumbFile } from './thumbs';

export type StageKind = 'tmp' | 'ready';

/** Where thumbnails are written before they are renamed into place. */
export function thumbTempDir(thumbsDir: string): string {
  return join(thumbsDir, '.tmp');
}

export function stagedFile(thumbsDir: string, hash: string, kind: StageKind, pid = process.pid): string {
  return join(thumbTempDir(thumbsDir), `${hash}.${pid}.${kind}`);
}

/**
 * What a dead process left in thumbs/.tmp: a whole thumbnail whose row did commit (killed
 * between the commit and the rename) moves into place; anything else is removed. Files of
 * live processes are theirs to finish.
 */
export function tidyThumbs(db: Database, thumbsDir: string): void {
  const dir = thumbTempDir(thumbsDir);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const [hash, pidText, kind] = name.split('.');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) continue;
    const file = join(dir, name);
    if (kind === 'ready' && hash && hashExists(db, hash)) {
      const target = thumbFile(thumbsDir, hash);
      mkdirSync(join(thumbsDir, hash.slice(0, 2)), { recursive: true });
      renameSync(file, target);
    } else {
      rmSync(file, { force: true });
    }
  }
}
