// The folder browser a browser window gets: readable folders first, then files of the asked
// kinds, nothing hidden or above its roots, and a refusal that says how to add a root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  browseRoots,
  folderNameProblem,
  LISTING_MAX,
  listFolder,
  makeFolder,
} from '../../../../src-main/services/folders/browse';
import { realPath } from '../../../../src-main/services/folders/access';
import { StudioError } from '../../../../src-shared/errors';

function tree() {
  const root = realPath(mkdtempSync(join(tmpdir(), 'fs-browse-')));
  for (const d of ['home/Zebra', 'home/apples', 'home/.hidden', 'home/proj', 'outside'])
    mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'home', 'proj', 'studio.db'), '');
  writeFileSync(join(root, 'home', 'labels.CSV'), 'path,label\n');
  writeFileSync(join(root, 'home', 'b.csv'), 'path,label\n');
  writeFileSync(join(root, 'home', 'notes.txt'), 'x');
  symlinkSync(join(root, 'outside'), join(root, 'home', 'link-out'));
  return root;
}

test('lists subfolders, then files with the extensions asked for, each sorted by name', () => {
  const root = tree();
  const roots = [{ label: 'Home', path: join(root, 'home') }];
  const listing = listFolder(join(root, 'home'), ['csv'], roots);
  assert.deepEqual(
    listing.entries.map((e) => [e.name, e.kind, e.project]),
    [
      ['apples', 'folder', false],
      ['link-out', 'folder', false],
      ['proj', 'folder', true],
      ['Zebra', 'folder', false],
      ['b.csv', 'file', false],
      ['labels.CSV', 'file', false],
    ],
  );
  assert.equal(listing.parent, null, 'a root has no parent to climb to');
  assert.equal(listFolder(join(root, 'home', 'apples'), [], roots).parent, join(root, 'home'));
  assert.deepEqual(
    listFolder(join(root, 'home'), [], roots).entries.filter((e) => e.kind === 'file'),
    [],
  );
});

test('refuses folders outside its roots, through a symlink too, naming how to add one', () => {
  const root = tree();
  const roots = [{ label: 'Home', path: join(root, 'home') }];
  for (const path of [join(root, 'outside'), join(root, 'home', 'link-out'), join(root, 'home', '..')]) {
    assert.throws(
      () => listFolder(path, [], roots),
      (err: unknown) =>
        err instanceof StudioError && err.code === 'path-not-allowed' && /STUDIO_FOLDERS/.test(err.message),
      path,
    );
  }
  assert.throws(
    () => listFolder(join(root, 'home', 'b.csv'), [], roots),
    (err: unknown) => err instanceof StudioError && err.code === 'not-a-folder',
  );
});

test('a folder past the limit is listed in part and says so', () => {
  const root = realPath(mkdtempSync(join(tmpdir(), 'fs-browse-big-')));
  for (let i = 0; i < LISTING_MAX + 5; i++) mkdirSync(join(root, `d${String(i).padStart(5, '0')}`));
  const listing = listFolder(root, [], [{ label: 'r', path: root }]);
  assert.equal(listing.entries.length, LISTING_MAX);
  assert.equal(listing.truncated, true);
  assert.equal(listing.hidden, 5);
});

test('roots: home, working folder, temp, and STUDIO_FOLDERS, each once and only where it exists', () => {
  const root = tree();
  const extra = join(root, 'outside');
  const roots = browseRoots(
    { STUDIO_FOLDERS: [extra, join(root, 'missing'), join(root, 'home')].join(delimiter) },
    join(root, 'home'),
    join(root, 'home'),
  );
  const paths = roots.map((r) => r.path);
  assert.equal(paths[0], join(root, 'home'));
  assert.ok(paths.includes(extra));
  assert.ok(paths.includes(realPath(tmpdir())));
  assert.ok(!paths.includes(join(root, 'missing')));
  assert.equal(new Set(paths).size, paths.length, 'no root twice');
});

test('a new folder is made inside a folder the browser may show, and a bad name or place is refused by name', () => {
  const root = tree();
  const home = join(root, 'home');
  const roots = [{ label: 'Home', path: home }];
  const made = makeFolder(home, 'new data', roots);
  assert.equal(made, join(home, 'new data'));
  assert.ok(statSync(made).isDirectory());
  const refused = (parent: string, name: string, code: string, why: RegExp) =>
    assert.throws(
      () => makeFolder(parent, name, roots),
      (e: unknown) => e instanceof StudioError && e.code === code && why.test(e.message),
      `${parent} / ${name}`,
    );
  refused(home, 'new data', 'invalid-input', /^name: "new data" already exists in /);
  refused(home, '', 'invalid-input', /^name: The folder name is empty/);
  refused(home, '../escape', 'invalid-input', /contains \/ or \\/);
  refused(home, '..', 'invalid-input', /not a folder name/);
  refused(home, '.secret', 'invalid-input', /starts with a dot/);
  refused(home, ' padded', 'invalid-input', /starts or ends with a space/);
  refused(home, 'x'.repeat(256), 'invalid-input', /longer than 255 bytes/);
  refused(join(root, 'outside'), 'x', 'path-not-allowed', /outside the folders the studio may open/);
  refused(join(home, 'link-out'), 'x', 'path-not-allowed', /outside the folders/);
  refused(join(home, 'proj'), 'thumbs', 'path-not-allowed', /thumbnails folder/);
  assert.equal(existsSync(join(root, 'escape')), false);
  assert.equal(existsSync(join(root, 'outside', 'x')), false);
  assert.equal(folderNameProblem('fine name (2)'), null);
});
