// Problems: files that could not be imported, one row per path, with a reason for a person.
import { sep } from 'node:path';
import type { Problem, ProblemKind } from '../../../src-shared/schemas';
import type { Database } from '../db';
import { sql } from '../statements';

export interface NewProblem {
  path: string;
  kind: ProblemKind;
  reason: string;
}

/** Records the path's current problem, replacing an older one for the same path. */
export function upsertProblem(db: Database, p: NewProblem, at: number, importId: number): void {
  const info = sql(
    db,
    `INSERT INTO problems (path, kind, reason, at, import_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, reason = excluded.reason,
         at = excluded.at, import_id = excluded.import_id`,
  ).run(p.path, p.kind, p.reason, at, importId);
  if (info.changes !== 1) throw new Error(`Problem for ${p.path} was not stored`);
}

export function deleteProblem(db: Database, path: string): void {
  sql(db, 'DELETE FROM problems WHERE path = ?').run(path);
}

export function pageProblems(db: Database, offset: number, limit: number): Problem[] {
  return sql(db, 'SELECT id, path, kind, reason, at FROM problems ORDER BY id LIMIT ? OFFSET ?').all(
    limit,
    offset,
  ) as Problem[];
}

/** The problems an import found (or found again), for its summary. */
export function problemsOfImport(db: Database, importId: number, limit: number): Problem[] {
  return sql(db, 'SELECT id, path, kind, reason, at FROM problems WHERE import_id = ? ORDER BY id LIMIT ?').all(
    importId,
    limit,
  ) as Problem[];
}

/** All problems, or those of these kinds. */
export function countProblems(db: Database, kinds?: ProblemKind[]): number {
  if (!kinds) return (sql(db, 'SELECT count(*) AS n FROM problems').get() as { n: number }).n;
  return (
    sql(db, 'SELECT count(*) AS n FROM problems WHERE kind IN (SELECT value FROM json_each(?))').get(
      JSON.stringify(kinds),
    ) as { n: number }
  ).n;
}

export function countProblemsByKind(db: Database): { kind: ProblemKind; count: number }[] {
  return sql(db, 'SELECT kind, count(*) AS count FROM problems GROUP BY kind ORDER BY kind').all() as {
    kind: ProblemKind;
    count: number;
  }[];
}

/** Paths with a problem under a folder: the importer drops those whose file is gone. */
export function problemPathsUnder(db: Database, folder: string): string[] {
  const prefix = folder.endsWith(sep) ? folder : folder + sep;
  const rows = sql(db, 'SELECT path FROM problems WHERE substr(path, 1, ?) = ?').all(prefix.length, prefix) as {
    path: string;
  }[];
  return rows.map((r) => r.path);
}
