// The training doctor's findings per run (migration 0008).
import { Finding } from '../../../src-shared/training-doctor/finding';
import type { FindingCounts } from '../../../src-shared/training-doctor/finding';
import { countFindings } from '../../../src-shared/training-doctor';
import type { Database } from '../db';
import { sql } from '../statements';

export interface StoredFindings {
  findings: Finding[];
  /** Written when the run ended; live findings are replaced by these. */
  final: boolean;
  updatedAt: number;
}

export function setFindings(db: Database, runId: number, findings: Finding[], final: boolean, now: number): void {
  const c = countFindings(findings);
  const res = sql(
    db,
    `
    INSERT INTO run_findings (run_id, findings, final, info, warning, problem, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id) DO UPDATE SET findings = excluded.findings, final = excluded.final, info = excluded.info,
      warning = excluded.warning, problem = excluded.problem, updated_at = excluded.updated_at
  `,
  ).run(runId, JSON.stringify(findings), final ? 1 : 0, c.info, c.warning, c.problem, now);
  if (res.changes !== 1) throw new Error(`findings of run ${runId} were not stored`);
}

export function getFindings(db: Database, runId: number): StoredFindings | null {
  const row = sql(db, 'SELECT findings, final, updated_at AS updatedAt FROM run_findings WHERE run_id = ?').get(
    runId,
  ) as { findings: string; final: number; updatedAt: number } | undefined;
  if (!row) return null;
  return {
    findings: Finding.array().parse(JSON.parse(row.findings)),
    final: row.final === 1,
    updatedAt: row.updatedAt,
  };
}

/** Counts by severity for every run that has findings. */
export function findingCounts(db: Database): Map<number, FindingCounts> {
  const rows = sql(db, 'SELECT run_id AS runId, info, warning, problem FROM run_findings').all() as Array<
    FindingCounts & { runId: number }
  >;
  return new Map(rows.map(({ runId, ...c }) => [runId, c]));
}
