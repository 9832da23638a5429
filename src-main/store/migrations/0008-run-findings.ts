// The training doctor's findings, stored with their run: the live ones as epochs end,
// replaced by the final ones when the run ends. One row per run; the counts by severity
// are columns so the runs table reads its badges without parsing every list.
import type { Migration } from './index';

export const m0008RunFindings: Migration = {
  version: 8,
  name: 'run-findings',
  up(db) {
    db.exec(`
      CREATE TABLE run_findings (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        findings TEXT NOT NULL,
        final INTEGER NOT NULL CHECK (final IN (0, 1)),
        info INTEGER NOT NULL CHECK (info >= 0),
        warning INTEGER NOT NULL CHECK (warning >= 0),
        problem INTEGER NOT NULL CHECK (problem >= 0),
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
