// Label and split edits as a history: every change is saved at once and can be undone and
// redone, across restarts. An edit holds the before and after of each image it touched and,
// for class operations (create, rename, recolour, merge, delete), the class rows it needs
// to put back.
import type { Migration } from './index';

export const m0002Edits: Migration = {
  version: 2,
  name: 'edits',
  up(db) {
    db.exec(`
      CREATE TABLE edits (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        description TEXT NOT NULL,
        class_op TEXT,
        undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1))
      ) STRICT;
      CREATE INDEX edits_by_undone ON edits(undone, id);

      -- Class ids here deliberately carry no foreign key: an undone delete must be able to
      -- name a class that no longer exists.
      CREATE TABLE edit_changes (
        edit_id INTEGER NOT NULL REFERENCES edits(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        before_class_id INTEGER,
        after_class_id INTEGER,
        before_split TEXT,
        after_split TEXT,
        PRIMARY KEY (edit_id, image_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
