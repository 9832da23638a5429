// The first schema: classes, images (one row per distinct content hash), the paths each
// image was found at, imports, and problems (files that could not be imported).
import type { Migration } from './index';

export const m0001Initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE classes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        color TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'interrupted', 'failed')),
        pid INTEGER NOT NULL,
        total INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        imported INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        problems INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        message TEXT
      ) STRICT;

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
        class_id INTEGER REFERENCES classes(id) ON DELETE SET NULL,
        split TEXT CHECK (split IN ('train', 'val', 'test')),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        format TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        added_at INTEGER NOT NULL,
        import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL
      ) STRICT;
      -- The grid pages through images in id order under a filter; these keep a page
      -- and its count fast at 100,000 images.
      CREATE INDEX images_by_class ON images(class_id, id);
      CREATE INDEX images_by_split ON images(split, id);
      CREATE INDEX images_by_split_class ON images(split, class_id, id);

      CREATE TABLE image_paths (
        path TEXT PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL
      ) STRICT;
      CREATE INDEX image_paths_by_image ON image_paths(image_id);

      -- kind has no CHECK: a new kind of problem then needs no table rebuild; the
      -- repository writes only ProblemKind values.
      CREATE TABLE problems (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL,
        import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL
      ) STRICT;
      CREATE INDEX problems_by_kind ON problems(kind);
    `);
  },
};
