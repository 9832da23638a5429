// Each image's 32x32 reduction, its decoded channel count and grayscale flag: written by the
// background scan, read by the duplicate search and the training doctor.
import { writeTx, type Database } from '../db';
import { sql } from '../statements';

export interface Reduced {
  reduction: Uint8Array;
  channels: number;
  grayscale: boolean;
}

export function countPendingReductions(db: Database): number {
  return (sql(db, 'SELECT count(*) AS n FROM images WHERE reduction IS NULL').get() as { n: number }).n;
}

/** Up to `limit` images still to reduce, lowest id first, leaving out those in `skip`. */
export function pendingReductions(
  db: Database,
  limit: number,
  skip: ReadonlySet<number>,
): { id: number; hash: string }[] {
  const rows = sql(db, 'SELECT id, hash FROM images WHERE reduction IS NULL ORDER BY id LIMIT ?').all(
    limit + skip.size,
  ) as { id: number; hash: string }[];
  return rows.filter((r) => !skip.has(r.id)).slice(0, limit);
}

/** One batch of the scan's results in one transaction. */
export function setReductions(db: Database, results: { id: number; reduced: Reduced }[]): void {
  const update = sql(db, 'UPDATE images SET reduction = ?, channels = ?, grayscale = ? WHERE id = ?');
  writeTx(db, () => {
    for (const { id, reduced: r } of results) update.run(Buffer.from(r.reduction), r.channels, r.grayscale ? 1 : 0, id);
  });
}

export function reductions(db: Database): { id: number; reduction: Uint8Array }[] {
  const rows = sql(db, 'SELECT id, reduction FROM images WHERE reduction IS NOT NULL ORDER BY id').all() as {
    id: number;
    reduction: Buffer;
  }[];
  return rows.map((r) => ({
    id: r.id,
    reduction: new Uint8Array(r.reduction.buffer, r.reduction.byteOffset, r.reduction.byteLength),
  }));
}

/** Changes whenever the set of reduced images does (ids are never reused): a cache key for clusters. */
export function reducedSetKey(db: Database): string {
  const k = sql(
    db,
    'SELECT count(*) AS n, min(id) AS lo, max(id) AS hi, total(id) AS sum FROM images WHERE reduction IS NOT NULL',
  ).get() as Record<string, number>;
  return `${k.n}:${k.lo}:${k.hi}:${k.sum}`;
}

/** The reduction (null before the scan) and channel count of each image with one of these hashes. */
export function reductionsOfHashes(
  db: Database,
  hashes: string[],
): { reduction: Buffer | null; channels: number | null }[] {
  return sql(db, 'SELECT reduction, channels FROM images WHERE hash IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(hashes),
  ) as { reduction: Buffer | null; channels: number | null }[];
}
