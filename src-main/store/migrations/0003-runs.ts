// Training runs: each stores its whole config, seed, split manifest, backend and versions,
// and its metrics epoch by epoch as they happen, so a dashboard survives a restart and a
// run can be re-run exactly. Summary columns (best val accuracy, gap, ...) keep the runs
// table sortable without parsing JSON.
import type { Migration } from './index';

export const m0003Runs: Migration = {
  version: 3,
  name: 'runs',
  up(db) {
    db.exec(`
      -- A frozen split: the image hashes of each split (and fold), named by their digest.
      CREATE TABLE manifests (
        id INTEGER PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- K-fold cross-validation: one run per fold, summarised together.
      CREATE TABLE run_groups (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        folds INTEGER NOT NULL CHECK (folds >= 2),
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'cancelled', 'failed', 'interrupted')),
        config TEXT NOT NULL,
        seed INTEGER NOT NULL,
        backbone_id TEXT NOT NULL,
        classes TEXT NOT NULL,
        manifest_id INTEGER REFERENCES manifests(id),
        group_id INTEGER REFERENCES run_groups(id) ON DELETE CASCADE,
        fold INTEGER,
        backend TEXT,
        backbone_hash TEXT,
        pid INTEGER,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        message TEXT,
        result TEXT,
        epochs INTEGER NOT NULL DEFAULT 0,
        best_phase INTEGER CHECK (best_phase IN (1, 2)),
        best_epoch INTEGER,
        best_val_acc REAL,
        best_macro_f1 REAL,
        gap REAL,
        test_acc REAL,
        test_macro_f1 REAL,
        train_ms INTEGER,
        model_bytes INTEGER
      ) STRICT;
      CREATE INDEX runs_by_group ON runs(group_id, fold);
      CREATE INDEX runs_by_status ON runs(status);

      CREATE TABLE run_epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        phase INTEGER NOT NULL CHECK (phase IN (1, 2)),
        epoch INTEGER NOT NULL,
        train_loss REAL NOT NULL,
        train_acc REAL NOT NULL,
        val_loss REAL,
        val_acc REAL,
        val_macro_f1 REAL,
        lr REAL NOT NULL,
        epoch_ms REAL NOT NULL,
        detail TEXT NOT NULL,
        PRIMARY KEY (run_id, phase, epoch)
      ) STRICT, WITHOUT ROWID;

      -- The test split's predictions with the best weights: the confusion-matrix drill-down
      -- and the highest-loss gallery read these.
      CREATE TABLE run_predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        true_class INTEGER NOT NULL,
        predicted INTEGER NOT NULL,
        loss REAL NOT NULL,
        probs TEXT NOT NULL,
        PRIMARY KEY (run_id, image_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX run_predictions_by_cell ON run_predictions(run_id, true_class, predicted, loss);
    `);
  },
};
