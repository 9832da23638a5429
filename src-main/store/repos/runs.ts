// Training runs: their k-fold groups, per-epoch metrics as they arrive,
// summary columns for the runs table, and the test split's predictions.
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import type { RunStatus } from '../../../src-shared/runs';
import { writeTx, type Database } from '../db';
import { sql } from '../statements';

export interface NewRun {
  name: string;
  config: string;
  seed: number;
  backboneId: string;
  classes: string[];
  manifestId: number;
  /** Images in the manifest's training, validation and test splits. */
  trainCount: number;
  valCount: number;
  testCount: number;
  /** From the config, kept beside it so a listing need not parse it: the input size and each phase's planned epochs. */
  inputSize: number;
  phase1Epochs: number;
  phase2Epochs: number | null;
  groupId: number | null;
  fold: number | null;
  createdAt: number;
  message: string | null;
  /** The process that owns the queued run: while it lives, nobody else marks the run interrupted. */
  pid: number;
}

/** What an epoch's end updates: the columns the runs table sorts by. */
export interface RunSummaryColumns {
  epochs: number;
  bestPhase: 1 | 2 | null;
  bestEpoch: number | null;
  bestValAcc: number | null;
  bestMacroF1: number | null;
  gap: number | null;
}

/** A run as the runs table reads it: every column but the three JSON texts, which a listing never needs. */
export interface RunListRow extends RunSummaryColumns {
  /** Images in the run's frozen splits (null before its manifest): the doctor's sizes and the intervals' n. */
  trainCount: number | null;
  valCount: number | null;
  testCount: number | null;
  /** Null only for a row whose config never said it (a build older than explicit sizes). */
  inputSize: number | null;
  phase1Epochs: number;
  /** Null for a run with one phase. */
  phase2Epochs: number | null;
  id: number;
  name: string;
  status: RunStatus;
  seed: number;
  backboneId: string;
  manifestId: number | null;
  groupId: number | null;
  fold: number | null;
  backend: string | null;
  backboneHash: string | null;
  pid: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  message: string | null;
  testAcc: number | null;
  testMacroF1: number | null;
  trainMs: number | null;
  modelBytes: number | null;
}

export interface RunRow extends RunListRow {
  config: string;
  classes: string;
  result: string | null;
}

export interface PredictionRow {
  imageId: number;
  trueClass: number;
  predicted: number;
  loss: number;
  probs: number[];
}

const LISTED = `id, name, status, seed, backbone_id AS backboneId, manifest_id AS manifestId,
  group_id AS groupId, fold, backend, backbone_hash AS backboneHash, pid, created_at AS createdAt,
  started_at AS startedAt, finished_at AS finishedAt, message, epochs, best_phase AS bestPhase,
  best_epoch AS bestEpoch, best_val_acc AS bestValAcc, best_macro_f1 AS bestMacroF1, gap,
  test_acc AS testAcc, test_macro_f1 AS testMacroF1, train_ms AS trainMs, model_bytes AS modelBytes,
  train_count AS trainCount, val_count AS valCount, test_count AS testCount, input_size AS inputSize,
  phase1_epochs AS phase1Epochs, phase2_epochs AS phase2Epochs`;
const RUN = `${LISTED}, config, classes, result`;

function changed(info: { changes: number }, what: string): void {
  if (info.changes !== 1) throw new Error(`${what} is not in the project`);
}

export function insertGroup(db: Database, name: string, folds: number, now: number): number {
  const info = sql(db, 'INSERT INTO run_groups (name, folds, created_at) VALUES (?, ?, ?)').run(name, folds, now);
  changed(info, 'the new run group');
  return Number(info.lastInsertRowid);
}

export function getGroup(db: Database, id: number): { id: number; name: string; folds: number } | null {
  return (
    (sql(db, 'SELECT id, name, folds FROM run_groups WHERE id = ?').get(id) as
      { id: number; name: string; folds: number } | undefined) ?? null
  );
}

export function insertRun(db: Database, r: NewRun): number {
  const info = sql(
    db,
    `INSERT INTO runs (name, status, config, seed, backbone_id, classes, manifest_id, train_count, val_count, test_count,
       input_size, phase1_epochs, phase2_epochs, group_id, fold, created_at, message, pid)
     VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.name,
    r.config,
    r.seed,
    r.backboneId,
    JSON.stringify(r.classes),
    r.manifestId,
    r.trainCount,
    r.valCount,
    r.testCount,
    r.inputSize,
    r.phase1Epochs,
    r.phase2Epochs,
    r.groupId,
    r.fold,
    r.createdAt,
    r.message,
    r.pid,
  );
  changed(info, 'the new run');
  return Number(info.lastInsertRowid);
}

export function getRunRow(db: Database, id: number): RunRow | null {
  return (sql(db, `SELECT ${RUN} FROM runs WHERE id = ?`).get(id) as RunRow | undefined) ?? null;
}

/** Newest first, without the config, classes and result texts: a result holds a confusion matrix. */
export function listRunRows(db: Database): RunListRow[] {
  return sql(db, `SELECT ${LISTED} FROM runs ORDER BY id DESC`).all() as RunListRow[];
}

export function runRowsOfGroup(db: Database, groupId: number): RunRow[] {
  return sql(db, `SELECT ${RUN} FROM runs WHERE group_id = ? ORDER BY fold`).all(groupId) as RunRow[];
}

/** The first start keeps its time; a resume only changes the pid. */
export function markRunning(db: Database, id: number, pid: number, now: number): void {
  changed(
    sql(
      db,
      "UPDATE runs SET status = 'running', pid = ?, started_at = COALESCE(started_at, ?), finished_at = NULL WHERE id = ?",
    ).run(pid, now, id),
    `run ${id}`,
  );
}

export function setRunStatus(
  db: Database,
  id: number,
  status: RunStatus,
  message: string | null,
  finishedAt: number | null,
): void {
  changed(
    sql(db, 'UPDATE runs SET status = ?, message = ?, finished_at = ? WHERE id = ?').run(
      status,
      message,
      finishedAt,
      id,
    ),
    `run ${id}`,
  );
}

/** Queued again (a resume) by this process, which now owns it. */
export function requeueRun(db: Database, id: number, pid: number, message: string): void {
  changed(
    sql(db, "UPDATE runs SET status = 'queued', pid = ?, message = ?, finished_at = NULL WHERE id = ?").run(
      pid,
      message,
      id,
    ),
    `run ${id}`,
  );
}

export function setRunBackend(db: Database, id: number, backend: string): void {
  changed(sql(db, 'UPDATE runs SET backend = ? WHERE id = ?').run(backend, id), `run ${id}`);
}

export function setRunSummary(db: Database, id: number, s: RunSummaryColumns): void {
  changed(
    sql(
      db,
      'UPDATE runs SET epochs = ?, best_phase = ?, best_epoch = ?, best_val_acc = ?, best_macro_f1 = ?, gap = ? WHERE id = ?',
    ).run(s.epochs, s.bestPhase, s.bestEpoch, s.bestValAcc, s.bestMacroF1, s.gap, id),
    `run ${id}`,
  );
}

export interface RunOutcomeColumns {
  result: string;
  backend: string;
  backboneHash: string;
  testAcc: number | null;
  testMacroF1: number | null;
  trainMs: number;
  modelBytes: number;
}

export function setRunOutcome(db: Database, id: number, o: RunOutcomeColumns): void {
  changed(
    sql(
      db,
      'UPDATE runs SET result = ?, backend = ?, backbone_hash = ?, test_acc = ?, test_macro_f1 = ?, train_ms = ?, model_bytes = ? WHERE id = ?',
    ).run(o.result, o.backend, o.backboneHash, o.testAcc, o.testMacroF1, Math.round(o.trainMs), o.modelBytes, id),
    `run ${id}`,
  );
}

/** Runs this or another process left 'running'; the caller checks their pids. */
export function runningRunRows(db: Database): { id: number; pid: number | null; status: RunStatus }[] {
  return sql(db, "SELECT id, pid, status FROM runs WHERE status IN ('running', 'queued')").all() as {
    id: number;
    pid: number | null;
    status: RunStatus;
  }[];
}

/** Written again when a resumed run repeats an epoch: same key, one row. */
export function upsertEpoch(db: Database, runId: number, m: EpochMetrics): void {
  sql(
    db,
    `INSERT INTO run_epochs (run_id, phase, epoch, train_loss, train_acc, val_loss, val_acc, val_macro_f1, lr, epoch_ms, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(run_id, phase, epoch) DO UPDATE SET train_loss = excluded.train_loss, train_acc = excluded.train_acc,
       val_loss = excluded.val_loss, val_acc = excluded.val_acc, val_macro_f1 = excluded.val_macro_f1, lr = excluded.lr,
       epoch_ms = excluded.epoch_ms, detail = excluded.detail`,
  ).run(
    runId,
    m.phase,
    m.epoch,
    m.trainLoss,
    m.trainAcc,
    m.valLoss,
    m.valAcc,
    m.valMacroF1,
    m.lr,
    m.epochMs,
    JSON.stringify(m),
  );
}

/** A resumed run goes on at (phase, epoch): rows from there on belong to the killed attempt. */
export function deleteEpochsFrom(db: Database, runId: number, phase: 1 | 2, epoch: number): number {
  return sql(db, 'DELETE FROM run_epochs WHERE run_id = ? AND (phase > ? OR (phase = ? AND epoch >= ?))').run(
    runId,
    phase,
    phase,
    epoch,
  ).changes;
}

export function listEpochs(db: Database, runId: number): EpochMetrics[] {
  const rows = sql(db, 'SELECT detail FROM run_epochs WHERE run_id = ? ORDER BY phase, epoch').all(runId) as {
    detail: string;
  }[];
  return rows.map((r) => JSON.parse(r.detail) as EpochMetrics);
}

/** Each epoch's phase and time, without parsing the rest: the runs list asks for it per reload. */
export function listEpochTimes(db: Database, runId: number): Array<{ phase: 1 | 2; epochMs: number }> {
  return sql(
    db,
    "SELECT phase, json_extract(detail, '$.epochMs') AS epochMs FROM run_epochs WHERE run_id = ? ORDER BY phase, epoch",
  ).all(runId) as Array<{ phase: 1 | 2; epochMs: number }>;
}

export function replacePredictions(db: Database, runId: number, rows: PredictionRow[]): void {
  writeTx(db, () => {
    sql(db, 'DELETE FROM run_predictions WHERE run_id = ?').run(runId);
    const insert = sql(
      db,
      'INSERT INTO run_predictions (run_id, image_id, true_class, predicted, loss, probs) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of rows) insert.run(runId, r.imageId, r.trueClass, r.predicted, r.loss, JSON.stringify(r.probs));
  });
}

export interface PredictionFilter {
  trueClass?: number;
  predicted?: number;
}

function predictionWhere(runId: number, f: PredictionFilter): { where: string; params: number[] } {
  const parts = ['p.run_id = ?'];
  const params = [runId];
  if (f.trueClass !== undefined) {
    parts.push('p.true_class = ?');
    params.push(f.trueClass);
  }
  if (f.predicted !== undefined) {
    parts.push('p.predicted = ?');
    params.push(f.predicted);
  }
  return { where: parts.join(' AND '), params };
}

/** Highest loss first: the images the model gets most wrong lead the gallery. */
export function pagePredictions(
  db: Database,
  runId: number,
  f: PredictionFilter,
  offset: number,
  limit: number,
): { total: number; items: (PredictionRow & { hash: string })[] } {
  const { where, params } = predictionWhere(runId, f);
  return db.transaction(() => {
    const { n } = sql(db, `SELECT count(*) AS n FROM run_predictions p WHERE ${where}`).get(...params) as { n: number };
    const rows = sql(
      db,
      `SELECT p.image_id AS imageId, i.hash, p.true_class AS trueClass, p.predicted, p.loss, p.probs
       FROM run_predictions p JOIN images i ON i.id = p.image_id WHERE ${where} ORDER BY p.loss DESC, p.image_id LIMIT ? OFFSET ?`,
    ).all(...params, limit, offset) as (Omit<PredictionRow, 'probs'> & { hash: string; probs: string })[];
    return { total: n, items: rows.map((r) => ({ ...r, probs: JSON.parse(r.probs) as number[] })) };
  })();
}
