// What curation reads about every image, in one query: label, split, first path (relative to
// its import root too, for folder group keys), size, colour, group and fold.
import { relative } from 'node:path';
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';

export interface CurationRow {
  id: number;
  hash: string;
  classId: number | null;
  label: string | null;
  split: Split | null;
  width: number;
  height: number;
  grayscale: boolean | null;
  path: string | null;
  /** The path under its import root; the absolute path when the root is unknown. */
  relPath: string | null;
  groupKey: string | null;
  fold: number | null;
}

interface Raw extends Omit<CurationRow, 'grayscale' | 'relPath'> {
  grayscale: number | null;
  root: string | null;
}

export function curationRows(db: Database): CurationRow[] {
  const raw = db
    .prepare(
      `SELECT i.id, i.hash, i.class_id AS classId, c.name AS label, i.split, i.width, i.height, i.grayscale,
              i.group_key AS groupKey, i.fold, p.path, r.root
       FROM images i
       LEFT JOIN classes c ON c.id = i.class_id
       LEFT JOIN image_paths p ON p.rowid = (SELECT min(rowid) FROM image_paths WHERE image_id = i.id)
       LEFT JOIN imports r ON r.id = p.import_id
       ORDER BY i.id`,
    )
    .all() as Raw[];
  return raw.map(({ root, grayscale, ...r }) => ({
    ...r,
    grayscale: grayscale === null ? null : grayscale === 1,
    relPath: r.path && root ? relative(root, r.path) : r.path,
  }));
}

export function reductions(db: Database): { id: number; reduction: Uint8Array }[] {
  const rows = db.prepare('SELECT id, reduction FROM images WHERE reduction IS NOT NULL ORDER BY id').all() as { id: number; reduction: Buffer }[];
  return rows.map((r) => ({ id: r.id, reduction: new Uint8Array(r.reduction.buffer, r.reduction.byteOffset, r.reduction.byteLength) }));
}

/** Every path of each image with more than one: byte-identical copies the importer merged. */
export function multiPathImages(db: Database): { imageId: number; paths: string[] }[] {
  const rows = db
    .prepare(
      `SELECT image_id AS imageId, json_group_array(path) AS paths FROM
         (SELECT image_id, path FROM image_paths ORDER BY rowid)
       GROUP BY image_id HAVING count(*) > 1 ORDER BY image_id`,
    )
    .all() as { imageId: number; paths: string }[];
  return rows.map((r) => ({ imageId: r.imageId, paths: JSON.parse(r.paths) as string[] }));
}

export function countProblemsOfKind(db: Database, kinds?: string[]): number {
  if (!kinds) return (db.prepare('SELECT count(*) AS n FROM problems').get() as { n: number }).n;
  return (db.prepare('SELECT count(*) AS n FROM problems WHERE kind IN (SELECT value FROM json_each(?))').get(JSON.stringify(kinds)) as { n: number }).n;
}
