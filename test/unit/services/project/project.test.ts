import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StudioError } from '../../../../src-shared/errors';
import { openProject, projectInfo, thumbTempDir } from '../../../../src-main/services/project/project';
import { thumbFile, thumbPath } from '../../../../src-main/services/project/thumbs';
import { latestVersion } from '../../../../src-main/store/migrations/index';
import { createImport, getImportRecord } from '../../../../src-main/store/repos/imports';
import { placeholderImage } from '../../../helpers/store';

const root = mkdtempSync(join(tmpdir(), 'studio-project-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has certainly ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

const code =
  (c: string, ...words: string[]) =>
  (err: unknown) =>
    err instanceof StudioError && err.code === c && words.every((w) => err.message.includes(w));

describe('openProject', () => {
  test('refuses a folder without studio.db unless asked to create, naming the folder', () => {
    const dir = join(root, 'missing');
    assert.throws(() => openProject(dir, { create: false }), code('not-found', dir, 'Create a project'));
    assert.equal(existsSync(dir), false, 'nothing was created');
  });

  test('refuses a file where a folder should be', () => {
    const file = join(root, 'file.txt');
    writeFileSync(file, 'x');
    assert.throws(() => openProject(file, { create: true }), code('not-a-folder', file));
  });

  test('creates studio.db and thumbs/, and reopens without create', () => {
    const dir = join(root, 'p1');
    const p = openProject(dir, { create: true });
    assert.equal(p.dir, dir);
    assert.equal(p.name, 'p1');
    assert.ok(existsSync(join(dir, 'studio.db')));
    assert.ok(existsSync(join(dir, 'thumbs', 'ab')));
    assert.deepEqual(projectInfo(p), {
      path: dir,
      name: 'p1',
      schemaVersion: latestVersion,
      images: 0,
      classes: 0,
      problems: 0,
      readOnly: false,
    });
    p.close();
    const again = openProject(dir, { create: false });
    assert.equal(projectInfo(again).schemaVersion, latestVersion);
    again.close();
  });

  test('marks imports left running by a dead process as interrupted, and leaves a live one alone', () => {
    const dir = join(root, 'p2');
    const p = openProject(dir, { create: true });
    const orphan = createImport(p.db, '/data', deadPid(), 1);
    const live = createImport(p.db, '/data', process.pid, 1);
    p.close();
    const again = openProject(dir, { create: false });
    assert.equal(getImportRecord(again.db, orphan)?.status, 'interrupted');
    assert.equal(getImportRecord(again.db, live)?.status, 'running');
    again.close();
  });

  test('removes half-written thumbnails of a dead process only', () => {
    const dir = join(root, 'p3');
    openProject(dir, { create: true }).close();
    const tmp = thumbTempDir(join(dir, 'thumbs'));
    writeFileSync(join(tmp, `${'a'.repeat(64)}.${deadPid()}.tmp`), 'half');
    writeFileSync(join(tmp, `${'b'.repeat(64)}.${process.pid}.tmp`), 'in progress');
    openProject(dir, { create: false }).close();
    assert.deepEqual(readdirSync(tmp), [`${'b'.repeat(64)}.${process.pid}.tmp`]);
  });
});

describe('thumbPath', () => {
  const dir = join(root, 'thumbs-project');
  const p = openProject(dir, { create: true });
  after(() => p.close());
  const known = 'c0ffee'.padEnd(64, '0');
  const importId = createImport(p.db, '/d', process.pid, 1);
  placeholderImage(p.db, importId, known, { addedAt: 1 });

  test('answers a known hash whose thumbnail exists', () => {
    assert.equal(thumbPath(p, known), null, 'no file yet');
    const file = thumbFile(p.thumbsDir, known);
    mkdirSync(join(p.thumbsDir, 'c0'), { recursive: true });
    writeFileSync(file, 'jpeg');
    assert.equal(thumbPath(p, known), file);
  });

  test('refuses hashes of other projects and anything that is not a hash', () => {
    const foreign = 'f'.repeat(64);
    mkdirSync(join(p.thumbsDir, 'ff'), { recursive: true });
    writeFileSync(thumbFile(p.thumbsDir, foreign), 'not ours');
    for (const bad of [
      foreign,
      known.toUpperCase(),
      known.slice(1),
      `${known}0`,
      '../studio.db',
      `../${known.slice(3)}`,
      '',
      `${known.slice(0, 63)}/`,
    ]) {
      assert.equal(thumbPath(p, bad), null, JSON.stringify(bad));
    }
  });
});
