import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, describe, test } from 'node:test';
import { placeOf, scanFolder } from '../../../../src-main/services/import/scan';
import { writeTree } from '../../../fixtures/images';

const base = mkdtempSync(join(tmpdir(), 'studio-scan-'));
after(() => rmSync(base, { recursive: true, force: true }));
const rel = (root: string, path: string) =>
  path
    .slice(root.length + 1)
    .split(sep)
    .join('/');

describe('placeOf', () => {
  const r = `${sep}data`;
  const at = (...parts: string[]) => join(r, ...parts);
  test('class folders give labels; deeper folders keep the class; top-level files are unlabeled', () => {
    assert.deepEqual(placeOf(r, at('cat', 'a.jpg'), false), { label: 'cat', split: null });
    assert.deepEqual(placeOf(r, at('cat', '2019', 'x', 'a.jpg'), false), { label: 'cat', split: null });
    assert.deepEqual(placeOf(r, at('a.jpg'), false), { label: null, split: null });
  });
  test('train/val/validation/test at the top are splits, with classes under them', () => {
    assert.deepEqual(placeOf(r, at('train', 'cat', 'a.jpg'), true), { label: 'cat', split: 'train' });
    assert.deepEqual(placeOf(r, at('Validation', 'dog', 'a.jpg'), true), { label: 'dog', split: 'val' });
    assert.deepEqual(placeOf(r, at('test', 'a.jpg'), true), { label: null, split: 'test' });
    assert.deepEqual(placeOf(r, at('extra', 'a.jpg'), true), { label: 'extra', split: null });
    assert.deepEqual(placeOf(r, at('constructor', 'a.jpg'), true), { label: 'constructor', split: null });
    assert.deepEqual(
      placeOf(r, at('train', 'cat', 'a.jpg'), false),
      { label: 'train', split: null },
      'only in split mode',
    );
  });
});

describe('scanFolder', () => {
  test('finds image files in sorted order, skipping other files, dot files and skipped folders', async () => {
    const root = join(base, 'plain');
    writeTree(root, {
      'b/2.PNG': 'x',
      'b/1.jpg': 'x',
      'a/x.webp': 'x',
      'top.tiff': 'x',
      'notes.txt': 'x',
      '.DS_Store': 'x',
      'a/._x.jpg': 'x',
      '.hidden/h.jpg': 'x',
      'project/thumbs/t.jpg': 'x',
    });
    let found = 0;
    const scan = await scanFolder(root, { skip: new Set([join(root, 'project')]), onFound: (n) => (found = n) });
    assert.deepEqual(
      scan.entries.map((e) => [rel(root, e.path), e.label]),
      [
        ['a/x.webp', 'a'],
        ['b/1.jpg', 'b'],
        ['b/2.PNG', 'b'],
        ['top.tiff', null],
      ],
    );
    assert.equal(found, 4);
    assert.deepEqual(scan.problems, []);
  });

  test('follows links, records loops and dead ends, and walks a linked folder once', async () => {
    const root = join(base, 'links');
    writeTree(root, {
      'cat/a.jpg': 'x',
      'cat/up': { link: '..' },
      'cat/self.jpg': { link: 'self.jpg' },
      'cat/gone.jpg': { link: 'missing.jpg' },
      'cat/gone-notes.txt': { link: 'missing.txt' },
      'dog/alias.jpg': { link: '../cat/a.jpg' },
      more: { link: 'cat' },
    });
    const scan = await scanFolder(root);
    assert.deepEqual(
      scan.entries.map((e) => [rel(root, e.path), e.label]),
      [
        ['cat/a.jpg', 'cat'],
        ['dog/alias.jpg', 'dog'],
      ],
    );
    assert.deepEqual(scan.problems.map((p) => [rel(root, p.path), p.kind]).sort(), [
      ['cat/gone.jpg', 'unreadable'],
      ['cat/self.jpg', 'symlink-loop'],
      ['cat/up', 'symlink-loop'],
    ]);
    assert.match(
      scan.problems.find((p) => p.path.endsWith('gone.jpg'))!.reason,
      /Broken link: it points to missing\.jpg/,
    );
  });
});
