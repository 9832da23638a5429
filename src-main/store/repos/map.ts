// What the embedding map reads about every image: the id and hash its points are keyed by,
// and the fields it colours by.
import type { Database } from '../db';
import { sql } from '../statements';

export interface MapImageRow {
  id: number;
  hash: string;
  classId: number | null;
  split: 'train' | 'val' | 'test' | null;
  excluded: number;
}

export function mapImageRows(db: Database): MapImageRow[] {
  return sql(
    db,
    'SELECT id, hash, class_id AS classId, split, excluded FROM images ORDER BY id',
  ).all() as MapImageRow[];
}
