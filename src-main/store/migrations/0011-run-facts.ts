// The facts the runs table and the live training doctor read about a run, as columns: its
// input size, each phase's planned epochs (phase 2's null when the run has one phase) and
// its training split's size (validation and test came in 0009). They were read by parsing
// the stored config for every row of every listing, and by re-reading and re-hashing the
// frozen manifest after every epoch. Old rows get them from their stored config and
// manifest; the config schema has required phase1.epochs since runs existed, and phase 2,
// when present, has always had its own epochs.
import type { Migration } from './index';

export const m0011RunFacts: Migration = {
  version: 11,
  name: 'run-facts',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN input_size INTEGER;
      ALTER TABLE runs ADD COLUMN phase1_epochs INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN phase2_epochs INTEGER;
      ALTER TABLE runs ADD COLUMN train_count INTEGER;
      UPDATE runs SET
        input_size = json_extract(config, '$.inputSize'),
        phase1_epochs = coalesce(json_extract(config, '$.phase1.epochs'), 0),
        phase2_epochs = json_extract(config, '$.phase2.epochs'),
        train_count = (SELECT json_array_length(m.body, '$.splits.train') FROM manifests m WHERE m.id = runs.manifest_id);
    `);
  },
};
