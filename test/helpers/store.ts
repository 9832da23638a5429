// A throw-away store for unit tests: an in-memory database with one import, and image rows whose
// size, format and time no test looks at, so each test says only the fields it is about.
import { openDatabase, type Database } from '../../src-main/store/db';
import { insertImage, type NewImage } from '../../src-main/store/repos/images';
import { createImport } from '../../src-main/store/repos/imports';

/** A fresh in-memory database, migrated, with one import to hang images on. */
export function memoryStore(): { db: Database; importId: number } {
  const db = openDatabase(':memory:');
  return { db, importId: createImport(db, '/x', 1, 0) };
}

/** Inserts a 1x1, 1-byte PNG with no class and no split unless `fields` says otherwise; returns its id. */
export function placeholderImage(
  db: Database,
  importId: number,
  hash: string,
  fields: Partial<Omit<NewImage, 'hash' | 'importId'>> = {},
): number {
  return insertImage(db, {
    hash,
    classId: null,
    split: null,
    width: 1,
    height: 1,
    format: 'png',
    bytes: 1,
    addedAt: 0,
    importId,
    ...fields,
  });
}
