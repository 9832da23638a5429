import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { StudioError } from '../../../src-shared/errors';
import { DatasetService } from '../../../src-main/services/dataset/dataset';
import type { Database } from '../../../src-main/store/db';

const dataset = (db: Database) => new DatasetService(() => db);
import { thumbTempDir } from '../../../src-main/services/project/project';
import { thumbPath } from '../../../src-main/services/project/thumbs';
import { makeBombPng, makeImage, makeRotatedJpeg, writeTree } from '../../fixtures/images';
import { count, importer, tally, tempDir, thumbFiles, type Importer } from './helpers';

const base = tempDir('import');
after(() => rmSync(base, { recursive: true, force: true }));

describe('importing class folders with every kind of bad file', () => {
  const data = join(base, 'data');
  let imp: Importer;
  let jpeg: Buffer;

  before(async () => {
    jpeg = await makeImage(1);
    const rotated = await makeRotatedJpeg(7);
    writeTree(data, {
      'cat/a.jpg': jpeg,
      'cat/b.png': await makeImage(2, 'png'),
      'cat/2019/deep.jpg': await makeImage(9),
      'dog/c.webp': await makeImage(3, 'webp'),
      'dog/d.gif': await makeImage(4, 'gif'),
      'dog/e.tiff': await makeImage(5, 'tiff'),
      'dog/copy-of-a.jpg': jpeg,
      'bird/f.avif': await makeImage(6, 'avif'),
      'bird/rot.jpg': rotated,
      'bird/rot-again.jpg': rotated,
      'bird/trunc.jpg': jpeg.subarray(0, jpeg.length >> 1),
      'bird/text.png': 'this is not a PNG',
      'bird/empty.jpg': '',
      'bird/bomb.png': makeBombPng(20000, 20000),
      'bird/loop': { link: '..' },
      'bird/dangling.jpg': { link: 'nowhere.jpg' },
      'bird/self.jpg': { link: 'self.jpg' },
      'flat.jpg': await makeImage(8),
      'notes.txt': 'ignored',
      '.DS_Store': 'ignored',
    });
    imp = importer(join(base, 'project'));
  });
  after(() => imp.project.close());

  test('imports every good image and records each bad file with a reason', async () => {
    const final = await imp.run(data);
    // 15 image files and 3 links: 9 distinct images, 1 plain copy, 8 problems.
    assert.deepEqual(tally(final), { status: 'done', total: 18, done: 18, imported: 9, skipped: 1, problems: 8 });
    const problems = dataset(imp.project.db).problems({ offset: 0, limit: 100 }).items;
    const byFile = Object.fromEntries(problems.map((p) => [p.path.slice(data.length + 1), p]));
    assert.deepEqual(Object.fromEntries(Object.entries(byFile).map(([f, p]) => [f, p.kind])), {
      'bird/trunc.jpg': 'corrupt',
      'bird/text.png': 'not-an-image',
      'bird/empty.jpg': 'empty',
      'bird/bomb.png': 'too-large',
      'bird/loop': 'symlink-loop',
      'bird/self.jpg': 'symlink-loop',
      'bird/dangling.jpg': 'unreadable',
      'dog/copy-of-a.jpg': 'label-conflict',
    });
    assert.match(
      byFile['bird/trunc.jpg'].reason,
      /^Truncated JPEG: the file ends before the image data does\. Re-export or re-download it\./,
    );
    assert.match(byFile['bird/bomb.png'].reason, /20000 x 20000 pixels \(400 megapixels\)/);
    assert.match(byFile['bird/text.png'].reason, /^Not an image: the name says PNG/);
    assert.match(byFile['dog/copy-of-a.jpg'].reason, /cat.a\.jpg, which is labelled "cat"; this copy is in "dog"/);
  });

  test('labels come from class folders (deeper folders too), flat files are unlabeled, copies share one image', () => {
    const stats = dataset(imp.project.db).stats();
    assert.deepEqual(stats.perClass, [
      { name: 'bird', count: 2 },
      { name: 'cat', count: 3 },
      { name: 'dog', count: 3 },
    ]);
    assert.equal(stats.unlabeled, 1);
    assert.equal(stats.perSplit.none, 9);
    const a = dataset(imp.project.db)
      .images({ filter: {}, offset: 0, limit: 100 })
      .items.find((i) =>
        dataset(imp.project.db)
          .image({ id: i.id })
          .paths.some((p) => p.endsWith('a.jpg')),
      )!;
    assert.deepEqual(
      dataset(imp.project.db)
        .image({ id: a.id })
        .paths.map((p) => p.slice(data.length + 1)),
      ['cat/a.jpg', 'dog/copy-of-a.jpg'],
    );
    assert.equal(dataset(imp.project.db).image({ id: a.id }).className, 'cat', 'the first label is kept');
  });

  test('formats are recognised and EXIF orientation is applied to the stored size and the thumbnail', async () => {
    const images = dataset(imp.project.db)
      .images({ filter: {}, offset: 0, limit: 100 })
      .items.map((i) => dataset(imp.project.db).image({ id: i.id }));
    const at = (suffix: string) => images.find((i) => i.paths.some((p) => p.endsWith(suffix)))!;
    assert.deepEqual(
      ['a.jpg', 'b.png', 'c.webp', 'd.gif', 'e.tiff', 'f.avif'].map((f) => at(f).format),
      ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'],
    );
    const rot = at('/rot.jpg');
    assert.deepEqual([rot.width, rot.height], [48, 64], 'stored 64x48 with orientation 6: shown portrait');
    assert.deepEqual(
      rot.paths.map((p) => p.slice(data.length + 1)),
      ['bird/rot-again.jpg', 'bird/rot.jpg'],
    );
    const thumb = await sharp(thumbPath(imp.project, rot.hash)!).metadata();
    assert.deepEqual([thumb.width, thumb.height, thumb.format], [48, 64, 'jpeg']);
  });

  test("one thumbnail per distinct image, and thumbPath answers only this project's hashes", () => {
    assert.equal(thumbFiles(imp.project).length, 9);
    for (const item of dataset(imp.project.db).images({ filter: {}, offset: 0, limit: 100 }).items)
      assert.ok(thumbPath(imp.project, item.hash));
    assert.equal(thumbPath(imp.project, 'e'.repeat(64)), null);
  });

  test('importing again adds nothing, decodes nothing and makes no thumbnail', async () => {
    const before = thumbFiles(imp.project).map((f) => [f, statSync(join(imp.project.thumbsDir, f)).mtimeMs]);
    const final = await imp.run(data);
    // Known paths are skipped unread; only the files that still have problems are looked at again.
    assert.deepEqual(tally(final), { status: 'done', total: 18, done: 18, imported: 0, skipped: 11, problems: 7 });
    assert.equal(count(imp.project, 'SELECT count(*) AS n FROM images'), 9);
    assert.equal(count(imp.project, 'SELECT count(*) AS n FROM image_paths'), 11);
    assert.equal(count(imp.project, 'SELECT count(*) AS n FROM problems'), 8);
    assert.deepEqual(
      thumbFiles(imp.project).map((f) => [f, statSync(join(imp.project.thumbsDir, f)).mtimeMs]),
      before,
    );
  });

  test('a fixed file imports and loses its problem; a deleted one loses its problem too', async () => {
    writeFileSync(join(data, 'bird', 'trunc.jpg'), await makeImage(10));
    rmSync(join(data, 'bird', 'empty.jpg'));
    const final = await imp.run(data);
    assert.equal(final.imported, 1);
    const kinds = dataset(imp.project.db)
      .problems({ offset: 0, limit: 100 })
      .items.map((p) => p.path.slice(data.length + 1));
    assert.ok(!kinds.includes('bird/trunc.jpg'));
    assert.ok(!kinds.includes('bird/empty.jpg'));
    assert.equal(kinds.length, 6);
    assert.equal(count(imp.project, 'SELECT count(*) AS n FROM images'), 10);
  });

  test('a new file appearing later is the only thing imported', async () => {
    writeFileSync(join(data, 'cat', 'new.jpg'), await makeImage(11));
    const final = await imp.run(data);
    assert.equal(final.imported, 1);
    assert.equal(
      dataset(imp.project.db)
        .stats()
        .perClass.find((c) => c.name === 'cat')?.count,
      4,
    );
  });
});

describe('importing predefined splits', () => {
  test('train/val/validation/test become splits; a copy across splits is a split-conflict', async () => {
    const data = join(base, 'splits');
    const one = await makeImage(21);
    writeTree(data, {
      'train/cat/1.jpg': one,
      'train/dog/2.jpg': await makeImage(22),
      'val/cat/3.jpg': await makeImage(23),
      'validation/dog/4.jpg': await makeImage(24),
      'test/cat/5.jpg': await makeImage(25),
      'test/6.jpg': await makeImage(26),
      'test/cat/leak.jpg': one,
    });
    const imp = importer(join(base, 'split-project'));
    try {
      const final = await imp.run(data);
      assert.deepEqual(tally(final), { status: 'done', total: 7, done: 7, imported: 6, skipped: 0, problems: 1 });
      const stats = dataset(imp.project.db).stats();
      assert.deepEqual(stats.perSplit, { train: 2, val: 2, test: 2, none: 0 });
      assert.equal(stats.unlabeled, 1);
      assert.deepEqual(
        stats.perClass.map((c) => [c.name, c.count]),
        [
          ['cat', 3],
          ['dog', 2],
        ],
      );
      const [problem] = dataset(imp.project.db).problems({ offset: 0, limit: 10 }).items;
      assert.equal(problem.kind, 'split-conflict');
      assert.match(problem.reason, /train split; this copy is in test/);
    } finally {
      imp.project.close();
    }
  });
});

describe('a flat folder', () => {
  test('imports unlabeled, and an unlabeled image takes the label of a later labelled copy', async () => {
    const data = join(base, 'flat');
    const img = await makeImage(31);
    writeTree(data, { 'a.jpg': img, 'b.png': await makeImage(32, 'png'), 'z/copy.jpg': img });
    const imp = importer(join(base, 'flat-project'));
    try {
      const final = await imp.run(data);
      assert.deepEqual(tally(final), { status: 'done', total: 3, done: 3, imported: 2, skipped: 1, problems: 0 });
      const stats = dataset(imp.project.db).stats();
      assert.equal(stats.unlabeled, 1);
      assert.deepEqual(stats.perClass, [{ name: 'z', count: 1 }]);
    } finally {
      imp.project.close();
    }
  });
});

describe('unreadable files', () => {
  test('a read error or a file vanishing after the scan is a problem, and the rest imports', async () => {
    const data = join(base, 'unreadable');
    writeTree(data, {
      'cat/ok.jpg': await makeImage(41),
      'cat/locked.jpg': await makeImage(42),
      'cat/vanish.jpg': await makeImage(43),
    });
    const imp = importer(join(base, 'unreadable-project'), {
      // chmod does not stop root, so the denial is injected where the importer reads.
      readFile: async (path) => {
        if (path.endsWith('locked.jpg'))
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        if (path.endsWith('vanish.jpg')) rmSync(path);
        return readFile(path);
      },
    });
    try {
      const final = await imp.run(data);
      assert.deepEqual(tally(final), { status: 'done', total: 3, done: 3, imported: 1, skipped: 0, problems: 2 });
      const reasons = Object.fromEntries(
        dataset(imp.project.db)
          .problems({ offset: 0, limit: 10 })
          .items.map((p) => [p.path.slice(data.length + 1), p]),
      );
      assert.equal(reasons['cat/locked.jpg'].kind, 'unreadable');
      assert.match(reasons['cat/locked.jpg'].reason, /permission denied\. Give your user read access/);
      assert.match(reasons['cat/vanish.jpg'].reason, /disappeared after it was found/);
    } finally {
      imp.project.close();
    }
  });
});

describe('files that only pretend to be images', () => {
  test('an SVG or a web page saved as .png/.jpg is not-an-image, saying what it really is', async () => {
    const data = join(base, 'pretend');
    writeTree(data, {
      'vector.png':
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
      'page.jpg': '<!doctype html><title>403 Forbidden</title>',
      'real.jpg': await makeImage(71),
    });
    const imp = importer(join(base, 'pretend-project'));
    try {
      const final = await imp.run(data);
      assert.deepEqual(tally(final), { status: 'done', total: 3, done: 3, imported: 1, skipped: 0, problems: 2 });
      const byFile = Object.fromEntries(
        dataset(imp.project.db)
          .problems({ offset: 0, limit: 10 })
          .items.map((p) => [p.path.slice(data.length + 1), p]),
      );
      assert.equal(byFile['vector.png'].kind, 'not-an-image');
      assert.match(
        byFile['vector.png'].reason,
        /the name says PNG but the contents are SVG, which the studio does not import/,
      );
      assert.equal(byFile['page.jpg'].kind, 'not-an-image');
    } finally {
      imp.project.close();
    }
  });
});

describe('the import service', () => {
  test('refuses a missing folder or a file, naming it', () => {
    const imp = importer(join(base, 'refuse-project'));
    try {
      const missing = join(base, 'no-such-folder');
      assert.throws(
        () => imp.service.start({ folder: missing }),
        (e: unknown) => e instanceof StudioError && e.code === 'not-a-folder' && e.message.includes(missing),
      );
      const file = join(base, 'a-file.jpg');
      writeFileSync(file, 'x');
      assert.throws(
        () => imp.service.start({ folder: file }),
        (e: unknown) => e instanceof StudioError && e.code === 'not-a-folder' && /is a file/.test(e.message),
      );
      assert.deepEqual(imp.service.list(), []);
    } finally {
      imp.project.close();
    }
  });

  test('stops as failed, saying what to check, when thumbnails cannot be written', async () => {
    const data = join(base, 'disk');
    writeTree(data, { 'a.jpg': await makeImage(51), 'b.jpg': await makeImage(52) });
    const imp = importer(join(base, 'disk-project'));
    try {
      // A file where the temp folder should be: every thumbnail write fails, as on a full disk.
      const tmp = thumbTempDir(imp.project.thumbsDir);
      rmSync(tmp, { recursive: true });
      writeFileSync(tmp, 'in the way');
      const final = await imp.run(data);
      assert.equal(final.status, 'failed');
      assert.match(
        final.message ?? '',
        /Could not write the thumbnail .*\.tmp.*Check that the project folder is writable/,
      );
      assert.equal(imp.service.list()[0].status, 'failed');
      assert.equal(count(imp.project, 'SELECT count(*) AS n FROM problems'), 0, 'no image is blamed for our disk');
    } finally {
      imp.project.close();
    }
  });
});
