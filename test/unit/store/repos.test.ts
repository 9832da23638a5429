import assert from 'node:assert/strict';
import { sep } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { migrate, type Database } from '../../../src-main/store/db';
import { defaultColor, ensureClass, findClassId, listClassRows } from '../../../src-main/store/repos/classes';
import {
  countImages,
  fillMissingLabel,
  findKnownImage,
  hashExists,
  imageIdByHash,
  imagePaths,
  insertImage,
  pathStat,
  previewPool,
  upsertPath,
  type NewImage,
} from '../../../src-main/store/repos/images';
import {
  createImport,
  finishImport,
  getImportRecord,
  listImportRecords,
  runningImports,
  saveCounters,
} from '../../../src-main/store/repos/imports';
import {
  countProblems,
  deleteProblem,
  pageProblems,
  problemPathsUnder,
  upsertProblem,
} from '../../../src-main/store/repos/problems';

const hash = (n: number) => n.toString(16).padStart(64, '0');
let db: Database;
let importId: number;

function image(n: number, over: Partial<NewImage> = {}): NewImage {
  return {
    hash: hash(n),
    classId: null,
    split: null,
    width: 4,
    height: 3,
    format: 'png',
    bytes: 10,
    addedAt: 1,
    importId,
    ...over,
  };
}

beforeEach(() => {
  db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  importId = createImport(db, '/data', 123, 1000);
});

describe('classes', () => {
  test('ensureClass creates once and returns the same id after', () => {
    const id = ensureClass(db, 'cat', 1);
    assert.equal(ensureClass(db, 'cat', 2), id);
    assert.equal(findClassId(db, 'cat'), id);
    assert.equal(findClassId(db, 'dog'), null);
  });

  test('default colours stay distinct well past the palette', () => {
    const colours = Array.from({ length: 40 }, (_, i) => defaultColor(i));
    assert.equal(new Set(colours).size, 40);
    for (const c of colours) assert.match(c, /^#[0-9a-f]{6}$/);
    for (let i = 0; i < 5; i++) ensureClass(db, `c${i}`, 1);
    assert.equal(new Set(listClassRows(db).map((c) => c.color)).size, 5);
  });

  test('listClassRows counts images per class', () => {
    const cat = ensureClass(db, 'cat', 1);
    ensureClass(db, 'dog', 1);
    insertImage(db, image(1, { classId: cat }));
    insertImage(db, image(2, { classId: cat }));
    assert.deepEqual(
      listClassRows(db).map(({ name, count }) => [name, count]),
      [
        ['cat', 2],
        ['dog', 0],
      ],
    );
  });
});

describe('images and paths', () => {
  test('insertImage is keyed by hash: a second insert returns the first id', () => {
    const id = insertImage(db, image(1));
    assert.equal(insertImage(db, image(1, { width: 99 })), id);
    assert.equal(countImages(db), 1);
    assert.equal(imageIdByHash(db, hash(1)), id);
    assert.ok(hashExists(db, hash(1)));
    assert.ok(!hashExists(db, hash(2)));
  });

  test('upsertPath records and then moves a path, with its size and time', () => {
    const a = insertImage(db, image(1));
    const b = insertImage(db, image(2));
    upsertPath(db, '/data/x.png', a, { size: 10, mtimeMs: 5 }, importId);
    assert.deepEqual(pathStat(db, '/data/x.png'), { size: 10, mtimeMs: 5 });
    upsertPath(db, '/data/x.png', b, { size: 11, mtimeMs: 6 }, importId);
    assert.deepEqual(imagePaths(db, a), []);
    assert.deepEqual(imagePaths(db, b), ['/data/x.png']);
    assert.equal(pathStat(db, '/nowhere'), null);
  });

  test('fillMissingLabel fills a missing class or split but never overwrites one', () => {
    const cat = ensureClass(db, 'cat', 1);
    const dog = ensureClass(db, 'dog', 1);
    const id = insertImage(db, image(1));
    fillMissingLabel(db, id, cat, 'train');
    fillMissingLabel(db, id, dog, 'test');
    upsertPath(db, '/data/cat/x.png', id, { size: 1, mtimeMs: 1 }, importId);
    assert.deepEqual(findKnownImage(db, hash(1)), { id, className: 'cat', split: 'train', path: '/data/cat/x.png' });
    assert.equal(findKnownImage(db, hash(9)), null);
  });

  test('a path must name an existing image', () => {
    assert.throws(() => upsertPath(db, '/x', 424242, { size: 1, mtimeMs: 1 }, importId), /FOREIGN KEY/);
  });

  test("the augmentation preview's pool is the training split, else every labelled image", () => {
    const cat = ensureClass(db, 'cat', 1);
    insertImage(db, image(1));
    const labelled = insertImage(db, image(2, { classId: cat, split: 'test' }));
    assert.deepEqual(previewPool(db), [{ id: labelled, hash: hash(2) }], 'no training split: the labelled images');
    const train = [3, 4].map((n) => insertImage(db, image(n, { classId: cat, split: 'train' })));
    const left = insertImage(db, image(5, { classId: cat, split: 'train' }));
    db.prepare('UPDATE images SET excluded = 1 WHERE id = ?').run(left); // as an exclude edit leaves it
    assert.deepEqual(
      previewPool(db),
      train.map((id, i) => ({ id, hash: hash(3 + i) })),
      'an excluded image is never previewed',
    );
  });
});

describe('imports', () => {
  test('counters are saved, and an import ends only once', () => {
    saveCounters(db, importId, { total: 10, done: 4, imported: 3, skipped: 1, problems: 0 });
    assert.deepEqual(runningImports(db), [{ id: importId, pid: 123 }]);
    assert.equal(finishImport(db, importId, 'cancelled', 2000, 'stopped'), true);
    assert.equal(finishImport(db, importId, 'done', 3000, null), false);
    assert.deepEqual(getImportRecord(db, importId), {
      id: importId,
      root: '/data',
      status: 'cancelled',
      total: 10,
      done: 4,
      startedAt: 1000,
      finishedAt: 2000,
    });
    assert.deepEqual(runningImports(db), []);
  });

  test('saving counters of an unknown import fails loudly', () => {
    assert.throws(
      () => saveCounters(db, 999, { total: 0, done: 0, imported: 0, skipped: 0, problems: 0 }),
      /Import 999/,
    );
  });

  test('list is newest first', () => {
    const second = createImport(db, '/other', 1, 2000);
    assert.deepEqual(
      listImportRecords(db).map((r) => r.id),
      [second, importId],
    );
    assert.equal(getImportRecord(db, 12345), null);
  });
});

describe('problems', () => {
  test('one problem per path: a newer one replaces it, and it can be forgotten', () => {
    upsertProblem(db, { path: '/data/a.jpg', kind: 'empty', reason: 'Empty' }, 1, importId);
    upsertProblem(db, { path: '/data/a.jpg', kind: 'corrupt', reason: 'Truncated' }, 2, importId);
    assert.deepEqual(
      pageProblems(db, 0, 10).map((p) => [p.path, p.kind, p.reason, p.at]),
      [['/data/a.jpg', 'corrupt', 'Truncated', 2]],
    );
    deleteProblem(db, '/data/a.jpg');
    assert.equal(countProblems(db), 0);
  });

  test('problemPathsUnder matches the folder, not a sibling that shares its prefix', () => {
    for (const path of [`${sep}data${sep}a.jpg`, `${sep}data${sep}sub${sep}b.jpg`, `${sep}data2${sep}c.jpg`]) {
      upsertProblem(db, { path, kind: 'empty', reason: 'r' }, 1, importId);
    }
    assert.deepEqual(problemPathsUnder(db, `${sep}data`).sort(), [
      `${sep}data${sep}a.jpg`,
      `${sep}data${sep}sub${sep}b.jpg`,
    ]);
  });
});
