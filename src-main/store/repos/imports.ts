// Import runs: what was imported from where, and how each ended.
import type { ImportRecord, ImportStatus } from '../../../src-shared/schemas';
import type { Database } from '../db';
import { sql } from '../statements';

export interface ImportCounters {
  total: number;
  done: number;
  imported: number;
  skipped: number;
  problems: number;
}

export function createImport(db: Database, root: string, pid: number, now: number): number {
  const info = sql(db, "INSERT INTO imports (root, status, pid, started_at) VALUES (?, 'running', ?, ?)").run(
    root,
    pid,
    now,
  );
  if (info.changes !== 1) throw new Error(`Could not record the import of ${root}`);
  return Number(info.lastInsertRowid);
}

export function saveCounters(db: Database, id: number, c: ImportCounters): void {
  const info = sql(
    db,
    'UPDATE imports SET total = ?, done = ?, imported = ?, skipped = ?, problems = ? WHERE id = ?',
  ).run(c.total, c.done, c.imported, c.skipped, c.problems, id);
  if (info.changes !== 1) throw new Error(`Import ${id} is not in the project`);
}

/** Ends a running import; an import that already ended keeps its first ending. */
export function finishImport(
  db: Database,
  id: number,
  status: ImportStatus,
  now: number,
  message: string | null,
): boolean {
  const info = sql(
    db,
    "UPDATE imports SET status = ?, finished_at = ?, message = ? WHERE id = ? AND status = 'running'",
  ).run(status, now, message, id);
  return info.changes === 1;
}

const RECORD = 'id, root, status, total, done, started_at AS startedAt, finished_at AS finishedAt';

export function listImportRecords(db: Database): ImportRecord[] {
  return sql(db, `SELECT ${RECORD} FROM imports ORDER BY id DESC`).all() as ImportRecord[];
}

export function getImportRecord(db: Database, id: number): ImportRecord | null {
  return (sql(db, `SELECT ${RECORD} FROM imports WHERE id = ?`).get(id) as ImportRecord | undefined) ?? null;
}

export function runningImports(db: Database): { id: number; pid: number }[] {
  return sql(db, "SELECT id, pid FROM imports WHERE status = 'running'").all() as { id: number; pid: number }[];
}
