// The background reduction scan: each image's 32x32 reduction and grayscale flag, read from
// its thumbnail rather than the original so the import stays fast and every image is reduced
// the same way (thumbnails are all at most 256 px, as reduceImage would resize to).
import sharp from 'sharp';
import type { CurationProgress } from '../../../src-shared/curation';
import type { Database } from '../../store/db';
import { countPendingReductions, pendingReductions, setReductions, type Reduced } from '../../store/repos/reductions';
import { reducePixels } from './algorithms/reduce';
import { isGrayscalePixels } from './algorithms/health-checks';
import { thumbFile } from '../project/thumbs';

const BATCH = 32;

async function reduceThumb(file: string): Promise<Reduced> {
  const { data, info } = await sharp(file)
    .rotate()
    .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    reduction: reducePixels(data, info.width, info.height, info.channels),
    channels: info.channels,
    grayscale: isGrayscalePixels(data, info.channels),
  };
}

/**
 * Reduces every image still lacking a reduction, batch by batch, reporting progress. A missing
 * or unreadable thumbnail is skipped (and counted as done) so one bad file never stalls the scan.
 */
export async function scanReductions(
  db: Database,
  thumbsDir: string,
  progress: (p: CurationProgress) => void,
): Promise<number> {
  const count = () => countPendingReductions(db);
  const failed = new Set<number>();
  let total = count();
  let done = 0;
  if (total === 0) return 0;
  progress({ stage: 'reducing', done, total, running: true });
  for (;;) {
    if (!db.open) return done;
    const batch = pendingReductions(db, BATCH, failed);
    if (!batch.length) break;
    const results = await Promise.all(batch.map((b) => reduceThumb(thumbFile(thumbsDir, b.hash)).catch(() => null)));
    if (!db.open) return done;
    const reduced: { id: number; reduced: Reduced }[] = [];
    batch.forEach((b, i) => {
      const r = results[i];
      if (r) reduced.push({ id: b.id, reduced: r });
      else failed.add(b.id);
    });
    setReductions(db, reduced);
    done += batch.length;
    total = Math.max(total, done + count() - failed.size);
    progress({ stage: 'reducing', done, total, running: true });
  }
  progress({ stage: 'reducing', done, total: done, running: false });
  return done;
}
