// Backbone bake-offs and out-of-fold predictions. A bake-off is a list of ordinary runs
// (one per backbone and size) started together on one frozen manifest and seed; the runs
// keep living as runs (queue, resume after a restart), the bake-off only remembers which
// ones it compares. A run's validation predictions are kept apart from its test
// predictions, which the gallery and the confusion matrix read: in a k-fold run they are
// the held-out fold's, what label-error ranking needs.
import type { Migration } from './index';

export const m0007Bakeoffs: Migration = {
  version: 7,
  name: 'bakeoffs',
  up(db) {
    db.exec(`
      CREATE TABLE bakeoffs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        seed INTEGER NOT NULL,
        manifest_id INTEGER REFERENCES manifests(id),
        config TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE bakeoff_runs (
        bakeoff_id INTEGER NOT NULL REFERENCES bakeoffs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        run_id INTEGER NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,
        PRIMARY KEY (bakeoff_id, position)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE run_val_predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        true_class INTEGER NOT NULL,
        predicted INTEGER NOT NULL,
        loss REAL NOT NULL,
        probs TEXT NOT NULL,
        PRIMARY KEY (run_id, image_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
