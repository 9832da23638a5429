// Which paths a call may touch: the open project, the model cache and what was chosen,
// compared after symlinks are resolved, so a link out of a chosen folder is outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathAccess, realPath, within } from '../../../../src-main/services/folders/access';
import { StudioError } from '../../../../src-shared/errors';

function tree() {
  const root = realPath(mkdtempSync(join(tmpdir(), 'fs-access-')));
  for (const d of ['project', 'cache', 'data/cats', 'secret']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'secret', 'shadow'), 'root:x:0:0\n');
  symlinkSync(join(root, 'secret'), join(root, 'data', 'escape'));
  return root;
}

test('within: a folder holds itself and what is under it, not a sibling sharing its prefix', () => {
  assert.equal(within('/a/b', '/a/b'), true);
  assert.equal(within('/a/b/c', '/a/b'), true);
  assert.equal(within('/a/bc', '/a/b'), false);
  assert.equal(within('/a', '/a/b'), false);
  assert.equal(within('/x', '/'), true);
});

test('realPath resolves symlinks in the part that exists and keeps the part not made yet', () => {
  const root = tree();
  assert.equal(realPath(join(root, 'data', 'escape', 'shadow')), join(root, 'secret', 'shadow'));
  assert.equal(realPath(join(root, 'data', 'escape', 'new', 'file.csv')), join(root, 'secret', 'new', 'file.csv'));
  assert.equal(realPath(join(root, 'data', 'cats', '..', '..', 'secret')), join(root, 'secret'));
});

test('the project and the model cache are allowed without choosing; other paths only once chosen', () => {
  const root = tree();
  let project: string | null = join(root, 'project');
  const access = new PathAccess(() => [project, join(root, 'cache')]);
  assert.equal(access.allows(join(root, 'project', 'export', 'labels.csv')), true);
  assert.equal(access.allows(join(root, 'cache', 'w.h5')), true);
  assert.equal(access.allows(join(root, 'data', 'cats')), false);
  assert.throws(
    () => access.check(join(root, 'data', 'cats'), 'Import folder'),
    (err: unknown) =>
      err instanceof StudioError &&
      err.code === 'path-not-allowed' &&
      err.message.startsWith(`Import folder ${join(root, 'data', 'cats')} is outside`),
  );
  access.grant(join(root, 'data'));
  assert.equal(access.allows(join(root, 'data', 'cats')), true);
  assert.equal(
    access.allows(join(root, 'data', 'cats', 'not-yet', 'out.csv')),
    true,
    'a file to write under a chosen folder',
  );
  // Closing the project takes its folder off the list.
  project = null;
  assert.equal(access.allows(join(root, 'project', 'studio.db')), false);
});

test('a symlink or ../ out of a chosen folder is outside it', () => {
  const root = tree();
  const access = new PathAccess(() => []);
  access.grant(join(root, 'data'));
  assert.equal(access.allows(join(root, 'data', 'escape', 'shadow')), false);
  assert.equal(access.allows(join(root, 'data', '..', 'secret', 'shadow')), false);
  assert.equal(access.allows(`${join(root, 'data')}-other`), false);
});
