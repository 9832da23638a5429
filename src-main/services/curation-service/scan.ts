// The background reduction scan: each image's 32x32 reduction and grayscale flag, read from
// its thumbnail rather than the original so the import stays fast and every image is reduced
// the same way (thumbnails are all at most 256 px, as reduceImage would resize to).
import sharp from 'sharp';
import type { CurationProgress } from '../../../src-shared/curation';
import { writeTx, type Database } from '../../store/db';
import { reducePixels } from '../curation/reduce';
import { isGrayscalePixels } from '../curation/health';
import { thumbFile } from '../project/thumbs';

const BATCH = 32;

interface Pending {
  id: number;
  hash: string;
}

async function reduceThumb(file: string): Promise<{ reduction: Uint8Array; channels: number; grayscale: boolean }> {
  const { data, info } = await sharp(file)
    .rotate()
    .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { reduction: reducePixels(data, info.width, info.height, info.channels), channels: info.channels, grayscale: isGrayscalePixels(data, info.channels) };
}

function missing(db: Database, limit: number, skip: ReadonlySet<number>): Pending[] {
  const rows = db.prepare('SELECT id, hash FROM images WHERE reduction IS NULL ORDER BY id LIMIT ?').all(limit + skip.size) as Pending[];
  return rows.filter((r) => !skip.has(r.id)).slice(0, limit);
}

/**
 * Reduces every image still lacking a reduction, batch by batch, reporting progress. A missing
 * or unreadable thumbnail is skipped (and counted as done) so one bad file never stalls the scan.
 */
export async function scanReductions(db: Database, thumbsDir: string, progress: (p: CurationProgress) => void): Promise<number> {
  const count = () => (db.prepare('SELECT count(*) AS n FROM images WHERE reduction IS NULL').get() as { n: number }).n;
  const failed = new Set<number>();
  let total = count();
  let done = 0;
  if (total === 0) return 0;
  progress({ stage: 'reducing', done, total, running: true });
  const update = db.prepare('UPDATE images SET reduction = ?, channels = ?, grayscale = ? WHERE id = ?');
  for (;;) {
    if (!db.open) return done;
    const batch = missing(db, BATCH, failed);
    if (!batch.length) break;
    const results = await Promise.all(batch.map((b) => reduceThumb(thumbFile(thumbsDir, b.hash)).catch(() => null)));
    if (!db.open) return done;
    writeTx(db, () => {
      batch.forEach((b, i) => {
        const r = results[i];
        if (r) update.run(Buffer.from(r.reduction), r.channels, r.grayscale ? 1 : 0, b.id);
        else failed.add(b.id);
      });
    });
    done += batch.length;
    total = Math.max(total, done + count() - failed.size);
    progress({ stage: 'reducing', done, total, running: true });
  }
  progress({ stage: 'reducing', done, total: done, running: false });
  return done;
}
