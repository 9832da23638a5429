import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { StudioError } from '../../../../src-shared/errors';
import { ImageFilter, type Split } from '../../../../src-shared/schemas';
import { DatasetService } from '../../../../src-main/services/dataset/dataset';
import { migrate, type Database } from '../../../../src-main/store/db';
import { ensureClass } from '../../../../src-main/store/repos/classes';
import { insertImage, upsertPath } from '../../../../src-main/store/repos/images';
import { createImport } from '../../../../src-main/store/repos/imports';
import { upsertProblem } from '../../../../src-main/store/repos/problems';

const hash = (n: number) => n.toString(16).padStart(64, '0');

function freshDb(): Database {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

describe('dataset queries', () => {
  const db = freshDb();
  let cat = 0;
  let dog = 0;
  // 12 images: i % 3 picks cat, dog or unlabeled; i % 4 picks train, val, test or none.
  const splits: (Split | null)[] = ['train', 'val', 'test', null];
  before(() => {
    const importId = createImport(db, '/d', 1, 1);
    cat = ensureClass(db, 'cat', 1);
    dog = ensureClass(db, 'dog', 1);
    for (let i = 0; i < 12; i++) {
      const classId = [cat, dog, null][i % 3];
      const id = insertImage(db, {
        hash: hash(i),
        classId,
        split: splits[i % 4],
        width: 10 + i,
        height: 5,
        format: 'jpeg',
        bytes: 100 + i,
        addedAt: 7,
        importId,
      });
      upsertPath(db, `/d/${i}.jpg`, id, { size: 100 + i, mtimeMs: 1 }, importId);
    }
    upsertPath(db, '/d/copy-of-0.jpg', 1, { size: 100, mtimeMs: 1 }, importId);
    upsertProblem(db, { path: '/d/bad1.jpg', kind: 'corrupt', reason: 'Truncated JPEG' }, 5, importId);
    upsertProblem(db, { path: '/d/bad2.jpg', kind: 'empty', reason: 'Empty' }, 6, importId);
    upsertProblem(db, { path: '/d/bad3.jpg', kind: 'corrupt', reason: 'Damaged' }, 7, importId);
  });

  /** Image 1 as a page lists it (the detail adds to it); a function, since `cat` is known only once `before` ran. */
  const firstImage = () => ({
    id: 1,
    hash: hash(0),
    classId: cat,
    split: 'train',
    width: 10,
    height: 5,
    excluded: false,
  });
  const ids = (filter: ImageFilter, offset = 0, limit = 100) =>
    new DatasetService(() => db).images({ filter: filter, offset: offset, limit: limit }).items.map((i) => i.id);

  test('no filter: every image, in id order, with its total', () => {
    const page = new DatasetService(() => db).images({ filter: {}, offset: 0, limit: 5 });
    assert.equal(page.total, 12);
    assert.deepEqual(
      page.items.map((i) => i.id),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(page.items[0], firstImage());
    assert.deepEqual(ids({}, 10, 5), [11, 12]);
  });

  test('filters by class, split, none and unlabeled, and combine with AND', () => {
    assert.deepEqual(ids({ classId: cat }), [1, 4, 7, 10]);
    assert.deepEqual(ids({ split: 'val' }), [2, 6, 10]);
    assert.deepEqual(ids({ split: 'none' }), [4, 8, 12]);
    assert.deepEqual(ids({ unlabeled: true }), [3, 6, 9, 12]);
    assert.deepEqual(ids({ classId: cat, split: 'val' }), [10]);
    assert.deepEqual(ids({ unlabeled: true, classId: cat }), [3, 6, 9, 12], 'unlabeled excludes classId');
    assert.deepEqual(ids({ unlabeled: true, split: 'none' }), [12]);
    assert.equal(
      new DatasetService(() => db).images({ filter: { classId: dog, split: 'test' }, offset: 0, limit: 1 }).total,
      1,
    );
  });

  test('getImage gives the detail with every path, and not-found for an unknown id', () => {
    assert.deepEqual(new DatasetService(() => db).image({ id: 1 }), {
      ...firstImage(),
      format: 'jpeg',
      bytes: 100,
      paths: ['/d/0.jpg', '/d/copy-of-0.jpg'],
      className: 'cat',
      addedAt: 7,
    });
    assert.equal(new DatasetService(() => db).image({ id: 3 }).className, null);
    assert.throws(
      () => new DatasetService(() => db).image({ id: 999 }),
      (err: unknown) => err instanceof StudioError && err.code === 'not-found' && err.message.includes('999'),
    );
  });

  test('classes carry colours and counts', () => {
    assert.deepEqual(
      new DatasetService(() => db).classes().map(({ name, count }) => [name, count]),
      [
        ['cat', 4],
        ['dog', 4],
      ],
    );
    assert.notEqual(new DatasetService(() => db).classes()[0].color, new DatasetService(() => db).classes()[1].color);
  });

  test('problems page in id order with the total', () => {
    const page = new DatasetService(() => db).problems({ offset: 1, limit: 1 });
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.items.map((p) => [p.path, p.kind, p.reason, p.at]),
      [['/d/bad2.jpg', 'empty', 'Empty', 6]],
    );
  });

  test('stats count per class, split and problem kind', () => {
    assert.deepEqual(new DatasetService(() => db).stats(), {
      total: 12,
      unlabeled: 4,
      perClass: [
        { name: 'cat', count: 4 },
        { name: 'dog', count: 4 },
      ],
      perSplit: { train: 3, val: 3, test: 3, none: 3 },
      excluded: 0,
      problems: [
        { kind: 'corrupt', count: 2 },
        { kind: 'empty', count: 1 },
      ],
    });
  });

  test('an excluded image leaves the class and split counts, is counted as excluded, and stays in the grid flagged', () => {
    db.prepare('UPDATE images SET excluded = 1 WHERE id = 1').run();
    try {
      const stats = new DatasetService(() => db).stats();
      assert.deepEqual(
        [stats.total, stats.excluded, stats.perClass[0], stats.perSplit.train],
        [12, 1, { name: 'cat', count: 3 }, 2],
      );
      assert.equal(new DatasetService(() => db).classes()[0].count, 3);
      assert.equal(new DatasetService(() => db).images({ filter: {}, offset: 0, limit: 1 }).items[0].excluded, true);
      assert.equal(new DatasetService(() => db).image({ id: 1 }).excluded, true);
    } finally {
      db.prepare('UPDATE images SET excluded = 0 WHERE id = 1').run();
    }
  });
});

describe('dataset queries at 100,000 images', () => {
  const db = freshDb();
  const classIds: number[] = [];
  before(() => {
    const importId = createImport(db, '/big', 1, 1);
    for (let c = 0; c < 10; c++) classIds.push(ensureClass(db, `class-${c}`, 1));
    const insert = db.prepare(
      'INSERT INTO images (hash, class_id, split, width, height, format, bytes, added_at, import_id) VALUES (?, ?, ?, 28, 28, ?, 1, 1, ?)',
    );
    const splits = ['train', 'train', 'train', 'val', 'test', null];
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++)
        insert.run(hash(i), i % 11 === 0 ? null : classIds[i % 10], splits[i % 6], 'png', importId);
    })();
  });

  // Speed here comes from the indexes (asserted below), not from timing a shared machine.
  test('a page deep in any filter comes with its total, in id order', () => {
    const filters: ImageFilter[] = [
      {},
      { classId: classIds[3] },
      { split: 'val' },
      { unlabeled: true },
      { classId: classIds[3], split: 'train' },
      { split: 'none' },
    ];
    for (const filter of filters) {
      const page = new DatasetService(() => db).images({ filter: filter, offset: 2500, limit: 200 });
      assert.ok(page.total > 2700 && page.items.length === 200, JSON.stringify(filter));
      assert.ok(
        page.items.every((item, i) => i === 0 || item.id > page.items[i - 1].id),
        'id order',
      );
    }
    assert.equal(new DatasetService(() => db).stats().total, 100_000);
  });

  test('the filtered queries use an index rather than scanning every row', () => {
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; ');
    assert.match(
      plan('SELECT id FROM images WHERE class_id = ? ORDER BY id LIMIT 200 OFFSET 5000', 1),
      /USING (COVERING )?INDEX images_by_class/,
    );
    assert.match(
      plan('SELECT id FROM images WHERE split = ? ORDER BY id LIMIT 200', 'val'),
      /USING (COVERING )?INDEX images_by_split/,
    );
    assert.match(
      plan('SELECT count(*) FROM images WHERE split = ? AND class_id = ?', 'val', 1),
      /USING (COVERING )?INDEX images_by_split_class/,
    );
  });
});
