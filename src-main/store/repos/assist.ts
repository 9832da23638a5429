// What the labeling assistant reads about every image: its label and the first path it
// was recorded at (the file its features are computed from).
import type { Database } from '../db';
import { sql } from '../statements';

export interface AssistRow {
  id: number;
  hash: string;
  classId: number | null;
  path: string | null;
}

export function assistRows(db: Database): AssistRow[] {
  return sql(
    db,
    `SELECT i.id, i.hash, i.class_id AS classId, p.path
     FROM images i
     LEFT JOIN image_paths p ON p.rowid = (SELECT min(rowid) FROM image_paths WHERE image_id = i.id)
     ORDER BY i.id`,
  ).all() as AssistRow[];
}

/** The newest k-fold group with a finished fold: its out-of-fold predictions are label-error evidence. */
export function latestFoldGroup(db: Database): number | null {
  const row = sql(db, "SELECT max(group_id) AS id FROM runs WHERE group_id IS NOT NULL AND status = 'done'").get() as
    { id: number | null } | undefined;
  return row?.id ?? null;
}
