// A run keeps the sizes of its validation and test splits, the n of its accuracies' 95 %
// intervals in the runs table: counted once from the frozen manifest when the run starts,
// not from a manifest body of a few megabytes on every listing.
import type { Migration } from './index';

export const m0009RunSplitCounts: Migration = {
  version: 9,
  name: 'run-split-counts',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN val_count INTEGER;
      ALTER TABLE runs ADD COLUMN test_count INTEGER;
      UPDATE runs SET
        val_count = (SELECT json_array_length(m.body, '$.splits.val') FROM manifests m WHERE m.id = runs.manifest_id),
        test_count = (SELECT json_array_length(m.body, '$.splits.test') FROM manifests m WHERE m.id = runs.manifest_id);
    `);
  },
};
