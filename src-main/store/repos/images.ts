// Images (one row per distinct content) and the paths each was found at.
import { relative } from 'node:path';
import type { ImageFilter, Split } from '../../../src-shared/schemas';
import type { Database } from '../db';
import { sql } from '../statements';
import type { ImageState } from './edits';

export interface NewImage {
  hash: string;
  classId: number | null;
  split: Split | null;
  width: number;
  height: number;
  format: string;
  bytes: number;
  addedAt: number;
  importId: number;
}

export interface ImageRow {
  id: number;
  hash: string;
  classId: number | null;
  split: Split | null;
  width: number;
  height: number;
  /** Left out of training (see setExcluded). */
  excluded: boolean;
}

export interface ImageDetailRow extends ImageRow {
  format: string;
  bytes: number;
  className: string | null;
  addedAt: number;
}

export interface PathStat {
  size: number;
  mtimeMs: number;
}

export interface KnownImage {
  id: number;
  className: string | null;
  split: Split | null;
  path: string | null;
}

const SUMMARY = 'id, hash, class_id AS classId, split, width, height, excluded';

/** SQLite's 0/1 as the boolean the contract carries. */
const withFlag = <T extends { excluded: number | boolean }>(row: T): T & { excluded: boolean } => ({
  ...row,
  excluded: row.excluded === 1 || row.excluded === true,
});

/** Inserts an image unless its hash is already there; returns the image's id either way. */
export function insertImage(db: Database, img: NewImage): number {
  sql(
    db,
    `INSERT INTO images (hash, class_id, split, width, height, format, bytes, added_at, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING`,
  ).run(img.hash, img.classId, img.split, img.width, img.height, img.format, img.bytes, img.addedAt, img.importId);
  const id = imageIdByHash(db, img.hash);
  if (id === null) throw new Error(`Image ${img.hash} was not stored`);
  return id;
}

export function imageIdByHash(db: Database, hash: string): number | null {
  const row = sql(db, 'SELECT id FROM images WHERE hash = ?').get(hash) as { id: number } | undefined;
  return row?.id ?? null;
}

/** What the importer needs to know about content it has seen before: its label, split and one path. */
export function findKnownImage(db: Database, hash: string): KnownImage | null {
  const row = sql(
    db,
    `SELECT i.id, c.name AS className, i.split,
              (SELECT p.path FROM image_paths p WHERE p.image_id = i.id ORDER BY p.rowid LIMIT 1) AS path
       FROM images i LEFT JOIN classes c ON c.id = i.class_id WHERE i.hash = ?`,
  ).get(hash) as KnownImage | undefined;
  return row ?? null;
}

/** Gives an unlabeled image a label (or a split) learnt from a later copy; never overwrites one. */
export function fillMissingLabel(db: Database, imageId: number, classId: number | null, split: Split | null): void {
  if (classId !== null)
    sql(db, 'UPDATE images SET class_id = ? WHERE id = ? AND class_id IS NULL').run(classId, imageId);
  if (split !== null) sql(db, 'UPDATE images SET split = ? WHERE id = ? AND split IS NULL').run(split, imageId);
}

export function upsertPath(db: Database, path: string, imageId: number, stat: PathStat, importId: number): void {
  const info = sql(
    db,
    `INSERT INTO image_paths (path, image_id, size, mtime_ms, import_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET image_id = excluded.image_id, size = excluded.size,
         mtime_ms = excluded.mtime_ms, import_id = excluded.import_id`,
  ).run(path, imageId, stat.size, stat.mtimeMs, importId);
  if (info.changes !== 1) throw new Error(`Path ${path} was not stored`);
}

export function pathStat(db: Database, path: string): PathStat | null {
  const row = sql(db, 'SELECT size, mtime_ms AS mtimeMs FROM image_paths WHERE path = ?').get(path) as
    PathStat | undefined;
  return row ?? null;
}

/** The ids of every image a filter shows ("select all in view"). */
export function imageIdsInFilter(db: Database, filter: ImageFilter): number[] {
  const { where, params } = filterClause(filter);
  return (sql(db, `SELECT id FROM images ${where}`).all(...params) as { id: number }[]).map((r) => r.id);
}

/**
 * The augmentation preview's pool, by id: the training split's images, else every labelled one;
 * never an excluded image, which training leaves out (the preview shows what a run would see).
 */
export function previewPool(db: Database): { id: number; hash: string }[] {
  const train = sql(db, "SELECT id, hash FROM images WHERE split = 'train' AND excluded = 0 ORDER BY id").all();
  const pool =
    train.length > 0
      ? train
      : sql(db, 'SELECT id, hash FROM images WHERE class_id IS NOT NULL AND excluded = 0 ORDER BY id').all();
  return pool as { id: number; hash: string }[];
}

export function hashExists(db: Database, hash: string): boolean {
  return sql(db, 'SELECT 1 FROM images WHERE hash = ?').get(hash) !== undefined;
}

/** A WHERE clause from fixed fragments; only values are bound, never spliced. */
export function filterClause(filter: ImageFilter, withIds = true): { where: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const add = (part: string, ...values: (string | number)[]) => {
    parts.push(part);
    params.push(...values);
  };
  if (filter.unlabeled) add('class_id IS NULL');
  else if (filter.classId !== undefined) add('class_id = ?', filter.classId);
  if (filter.split === 'none') add('split IS NULL');
  else if (filter.split !== undefined) add('split = ?', filter.split);
  if (filter.imageIds && withIds) add('id IN (SELECT value FROM json_each(?))', JSON.stringify(filter.imageIds));
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function countImages(db: Database, filter: ImageFilter = {}): number {
  const { where, params } = filterClause(filter);
  return (sql(db, `SELECT count(*) AS n FROM images ${where}`).get(...params) as { n: number }).n;
}

export function pageImages(db: Database, filter: ImageFilter, offset: number, limit: number): ImageRow[] {
  if (filter.imageIds) return pageListed(db, filter, offset, limit);
  const { where, params } = filterClause(filter);
  const rows = sql(db, `SELECT ${SUMMARY} FROM images ${where} ORDER BY id LIMIT ? OFFSET ?`).all(
    ...params,
    limit,
    offset,
  ) as ImageRow[];
  return rows.map(withFlag);
}

/** A page of a listed view, in the list's order (each id once, where it first appears). */
function pageListed(db: Database, filter: ImageFilter, offset: number, limit: number): ImageRow[] {
  const { where, params } = filterClause(filter, false);
  const rows = sql(
    db,
    `SELECT ${SUMMARY} FROM images
     JOIN (SELECT value AS listed, min(key) AS at FROM json_each(?) GROUP BY value) ON listed = id
     ${where} ORDER BY at LIMIT ? OFFSET ?`,
  ).all(JSON.stringify(filter.imageIds), ...params, limit, offset) as ImageRow[];
  return rows.map(withFlag);
}

export function imageDetail(db: Database, id: number): ImageDetailRow | null {
  const row = sql(
    db,
    `SELECT i.id, i.hash, i.class_id AS classId, i.split, i.width, i.height, i.excluded, i.format, i.bytes,
              c.name AS className, i.added_at AS addedAt
       FROM images i LEFT JOIN classes c ON c.id = i.class_id WHERE i.id = ?`,
  ).get(id) as ImageDetailRow | undefined;
  return row ? withFlag(row) : null;
}

export function imagePaths(db: Database, imageId: number): string[] {
  const rows = sql(db, 'SELECT path FROM image_paths WHERE image_id = ? ORDER BY rowid').all(imageId) as {
    path: string;
  }[];
  return rows.map((r) => r.path);
}

/** Images per split, those left out of training not counted. */
export function countBySplit(db: Database): { split: Split | null; n: number }[] {
  return sql(db, 'SELECT split, count(*) AS n FROM images WHERE excluded = 0 GROUP BY split').all() as {
    split: Split | null;
    n: number;
  }[];
}

export function countExcluded(db: Database): number {
  return (sql(db, 'SELECT count(*) AS n FROM images WHERE excluded = 1').get() as { n: number }).n;
}

/** The editable state (label, split, group, fold) of each of these images, by id. */
export function imageStates(db: Database, imageIds: number[]): ({ id: number } & ImageState)[] {
  const rows = sql(
    db,
    'SELECT id, class_id AS classId, split, group_key AS groupKey, fold, excluded FROM images WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id',
  ).all(JSON.stringify(imageIds)) as ({ id: number } & Omit<ImageState, 'excluded'> & { excluded: number })[];
  return rows.map((r) => ({ ...r, excluded: r.excluded === 1 }));
}

/** The content hash of each of these images, by id. */
export function hashesOfIds(db: Database, imageIds: number[]): Map<number, string> {
  const rows = sql(db, 'SELECT id, hash FROM images WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(imageIds),
  ) as { id: number; hash: string }[];
  return new Map(rows.map((r) => [r.id, r.hash]));
}

export function imageIdsByHash(db: Database, hashes: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const get = sql(db, 'SELECT id FROM images WHERE hash = ?');
  for (const h of hashes) {
    const row = get.get(h) as { id: number } | undefined;
    if (row) out.set(h, row.id);
  }
  return out;
}

/** Every recorded path with its image. */
export function allPaths(db: Database): { path: string; id: number }[] {
  return sql(db, 'SELECT path, image_id AS id FROM image_paths').all() as { path: string; id: number }[];
}

/** The recorded paths of every image, oldest first, for finding one still on disk. */
export function pathsByImage(db: Database): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const r of sql(db, 'SELECT image_id AS id, path FROM image_paths ORDER BY rowid').all() as {
    id: number;
    path: string;
  }[]) {
    const list = out.get(r.id);
    if (list) list.push(r.path);
    else out.set(r.id, [r.path]);
  }
  return out;
}

/** Every path of each image with more than one: byte-identical copies the importer merged. */
export function multiPathImages(db: Database): { imageId: number; paths: string[] }[] {
  const rows = sql(
    db,
    `SELECT image_id AS imageId, json_group_array(path) AS paths FROM
       (SELECT image_id, path FROM image_paths ORDER BY rowid)
     GROUP BY image_id HAVING count(*) > 1 ORDER BY image_id`,
  ).all() as { imageId: number; paths: string }[];
  return rows.map((r) => ({ imageId: r.imageId, paths: JSON.parse(r.paths) as string[] }));
}

export interface LabeledImageRow {
  id: number;
  hash: string;
  className: string;
  split: 'train' | 'val' | 'test' | null;
  /** Curation's group key and fold, when a split assigned them. */
  group: string | null;
  fold: number | null;
}

/** Every labeled image still in training; unlabeled and excluded ones never take part in a run. */
export function labeledImages(db: Database): LabeledImageRow[] {
  return sql(
    db,
    'SELECT i.id, i.hash, c.name AS className, i.split, i.group_key AS "group", i.fold FROM images i JOIN classes c ON c.id = i.class_id WHERE i.excluded = 0 ORDER BY i.hash',
  ).all() as LabeledImageRow[];
}

/** What curation reads about every image: label, split, first path (relative to its import root too), size, colour, group and fold. */
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
  excluded: boolean;
}

/** Every image, excluded ones too (flagged): most callers want `trainingRows`. */
export function curationRows(db: Database): CurationRow[] {
  const raw = sql(
    db,
    `SELECT i.id, i.hash, i.class_id AS classId, c.name AS label, i.split, i.width, i.height, i.grayscale,
            i.group_key AS groupKey, i.fold, i.excluded, p.path, r.root
     FROM images i
     LEFT JOIN classes c ON c.id = i.class_id
     LEFT JOIN image_paths p ON p.rowid = (SELECT min(rowid) FROM image_paths WHERE image_id = i.id)
     LEFT JOIN imports r ON r.id = p.import_id
     ORDER BY i.id`,
  ).all() as (Omit<CurationRow, 'grayscale' | 'relPath' | 'excluded'> & {
    grayscale: number | null;
    root: string | null;
    excluded: number;
  })[];
  return raw.map(({ root, grayscale, excluded, ...r }) => ({
    ...r,
    excluded: excluded === 1,
    grayscale: grayscale === null ? null : grayscale === 1,
    relPath: r.path && root ? relative(root, r.path) : r.path,
  }));
}

/** The images that take part in training: splits, manifests, health and exports read these. */
export function trainingRows(db: Database): CurationRow[] {
  return curationRows(db).filter((r) => !r.excluded);
}
