// What a write may not land on: a project's own files, found from any folder holding
// studio.db above the path, after links are resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectFileOf, realPath, refuseProjectFile } from '../../../../src-main/services/folders/access';
import { StudioError } from '../../../../src-shared/errors';

function project(): string {
  const root = realPath(mkdtempSync(join(tmpdir(), 'fs-project-files-')));
  mkdirSync(join(root, 'p', 'runs', '1'), { recursive: true });
  writeFileSync(join(root, 'p', 'studio.db'), 'db');
  return root;
}

test("the database, its companions, the lock and the three folders are the project's; the rest of its folder is not", () => {
  const root = project();
  const p = join(root, 'p');
  for (const name of [
    'studio.db',
    'studio.db-wal',
    'studio.db-shm',
    'studio.db-journal',
    'studio.db.bak-3',
    'studio.owner',
    'Studio.DB',
    'thumbs/ab/c.jpg',
    'cache/x',
    'runs/1/export',
    'runs',
    'backups/studio-2026-12-07.db',
    'studio.db.before-restore-2026-12-07T10-00-00Z',
  ]) {
    assert.equal(projectFileOf(join(p, name))?.project, p, name);
  }
  for (const name of ['labels.csv', 'export/model.json', 'studio.dbx', 'thumbsup.csv'])
    assert.equal(projectFileOf(join(p, name)), null, name);
  assert.equal(projectFileOf(join(root, 'studio.db')), null, 'a studio.db with no project around it is just a file');
  assert.equal(projectFileOf('/'), null);
});

test('a link that leads to a project file is that file; the refusal names it, what it is and where to write', () => {
  const root = project();
  symlinkSync(join(root, 'p', 'studio.db'), join(root, 'out.csv'));
  assert.throws(
    () => refuseProjectFile(join(root, 'out.csv'), 'CSV file'),
    (e: unknown) => {
      assert.ok(e instanceof StudioError && e.code === 'path-not-allowed');
      assert.match(
        e.message,
        /^CSV file .*out\.csv is the project's own database \(project .*\/p\); writing there would destroy the project\. Choose a file outside/,
      );
      return true;
    },
  );
  assert.doesNotThrow(() => refuseProjectFile(join(root, 'p', 'labels.csv'), 'CSV file'));
});
