// Curation: per image the 32x32 reduction that near-duplicate search and the grayscale check
// read (computed in the background from thumbnails, so the import stays fast), the group key
// and cross-validation fold a split assigned. Columns may be null: not computed or not assigned.
import type { Migration } from './index';

export const m0004Curation: Migration = {
  version: 4,
  name: 'curation',
  up(db) {
    db.exec(`
      ALTER TABLE images ADD COLUMN reduction BLOB CHECK (reduction IS NULL OR length(reduction) = 1024);
      ALTER TABLE images ADD COLUMN channels INTEGER;
      ALTER TABLE images ADD COLUMN grayscale INTEGER CHECK (grayscale IN (0, 1));
      ALTER TABLE images ADD COLUMN group_key TEXT;
      ALTER TABLE images ADD COLUMN fold INTEGER CHECK (fold >= 0);
      -- The background scan asks for images still lacking a reduction.
      CREATE INDEX images_missing_reduction ON images(id) WHERE reduction IS NULL;
    `);
  },
};
