// Bake-offs (which runs one comparison holds, in the order they were asked for) and each
// run's validation predictions (a k-fold run's out-of-fold probabilities).
import type { Database } from '../db';
import { writeTx } from '../db';
import { sql } from '../statements';
import type { PredictionRow } from './runs';

export interface NewBakeoff {
  name: string;
  seed: number;
  manifestId: number | null;
  config: string;
  createdAt: number;
  runIds: number[];
}

export interface BakeoffRecord {
  id: number;
  name: string;
  seed: number;
  manifestId: number | null;
  config: string;
  createdAt: number;
  runIds: number[];
}

export function insertBakeoff(db: Database, b: NewBakeoff): number {
  return writeTx(db, () => {
    const info = sql(
      db,
      'INSERT INTO bakeoffs (name, seed, manifest_id, config, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(b.name, b.seed, b.manifestId, b.config, b.createdAt);
    const id = Number(info.lastInsertRowid);
    const link = sql(db, 'INSERT INTO bakeoff_runs (bakeoff_id, position, run_id) VALUES (?, ?, ?)');
    b.runIds.forEach((runId, i) => link.run(id, i, runId));
    return id;
  });
}

type Head = Omit<BakeoffRecord, 'runIds'>;
const HEAD = 'id, name, seed, manifest_id AS manifestId, config, created_at AS createdAt';

function runIdsOf(db: Database, id: number): number[] {
  return (
    sql(db, 'SELECT run_id AS runId FROM bakeoff_runs WHERE bakeoff_id = ? ORDER BY position').all(id) as {
      runId: number;
    }[]
  ).map((r) => r.runId);
}

export function getBakeoff(db: Database, id: number): BakeoffRecord | null {
  const head = sql(db, `SELECT ${HEAD} FROM bakeoffs WHERE id = ?`).get(id) as Head | undefined;
  return head ? { ...head, runIds: runIdsOf(db, id) } : null;
}

/** Newest first, like the runs table. */
export function listBakeoffs(db: Database): BakeoffRecord[] {
  const heads = sql(db, `SELECT ${HEAD} FROM bakeoffs ORDER BY id DESC`).all() as Head[];
  return heads.map((h) => ({ ...h, runIds: runIdsOf(db, h.id) }));
}

export function replaceValPredictions(db: Database, runId: number, rows: PredictionRow[]): void {
  writeTx(db, () => {
    sql(db, 'DELETE FROM run_val_predictions WHERE run_id = ?').run(runId);
    const insert = sql(
      db,
      'INSERT INTO run_val_predictions (run_id, image_id, true_class, predicted, loss, probs) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of rows) insert.run(runId, r.imageId, r.trueClass, r.predicted, r.loss, JSON.stringify(r.probs));
  });
}

export interface ValPredictionRow extends PredictionRow {
  runId: number;
  hash: string;
  /** The image's class in the project now; null when unlabeled. */
  currentClass: string | null;
}

/** The validation predictions of several runs (a k-fold group's folds), with each image's label now. */
export function valPredictionsOf(db: Database, runIds: number[]): ValPredictionRow[] {
  const get = sql(
    db,
    `SELECT p.run_id AS runId, p.image_id AS imageId, i.hash, c.name AS currentClass, p.true_class AS trueClass, p.predicted, p.loss, p.probs
     FROM run_val_predictions p JOIN images i ON i.id = p.image_id LEFT JOIN classes c ON c.id = i.class_id
     WHERE p.run_id = ? ORDER BY p.image_id`,
  );
  return runIds.flatMap((id) =>
    (get.all(id) as (Omit<ValPredictionRow, 'probs'> & { probs: string })[]).map((r) => ({
      ...r,
      probs: JSON.parse(r.probs) as number[],
    })),
  );
}
