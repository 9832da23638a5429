// Excluding an image from training: a flag on the image, never a deletion, so the file and
// its label stay and one click (or undo) brings it back. It joins the edit history beside
// label, split, group and fold. Changes recorded before this migration had no exclusions, so
// both sides default to included.
import type { Migration } from './index';

export const m0010ExcludedImages: Migration = {
  version: 10,
  name: 'excluded-images',
  up(db) {
    db.exec(`
      ALTER TABLE images ADD COLUMN excluded INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1));
      ALTER TABLE edit_changes ADD COLUMN before_excluded INTEGER NOT NULL DEFAULT 0 CHECK (before_excluded IN (0, 1));
      ALTER TABLE edit_changes ADD COLUMN after_excluded INTEGER NOT NULL DEFAULT 0 CHECK (after_excluded IN (0, 1));
    `);
  },
};
