// A killed import (SIGKILL: no chance to clean up) resumes without duplicating or losing rows.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { thumbTempDir } from '../../../src-main/services/project/project';
import { makeImage, writeTree } from '../../fixtures/images';
import { studioAsync } from './cli-run';
import { count, importer, tempDir, thumbFiles } from './helpers';

const base = tempDir('resume');
after(() => rmSync(base, { recursive: true, force: true }));
const N = 400;

/** Images committed so far by another process, or -1 while its database is not there yet. */
function committed(dbFile: string): number {
  if (!existsSync(dbFile)) return -1;
  try {
    const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return -1;
  }
}

test('an import killed mid-way resumes to exactly one row and one thumbnail per image', async () => {
  const data = join(base, 'data');
  const tree: Record<string, Buffer> = {};
  for (let i = 0; i < N; i++)
    tree[`c${i % 5}/${String(i).padStart(4, '0')}.jpg`] = await makeImage(5000 + i, 'jpeg', 128, 96);
  writeTree(data, tree);
  const projectDir = join(base, 'project');
  const dbFile = join(projectDir, 'studio.db');

  const child = studioAsync('import', projectDir, data, '--concurrency', '1');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let atKill = -1;
  while (atKill < 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const n = committed(dbFile);
    if (n > 0) {
      child.kill('SIGKILL');
      atKill = n;
    }
    assert.equal(child.exitCode, null, 'the import finished before it could be killed: make it bigger');
  }
  await exited;
  assert.ok(atKill < N, `killed mid-way (${atKill} of ${N} committed)`);

  const imp = importer(projectDir);
  try {
    const killed = imp.service.list()[0];
    assert.equal(killed.status, 'interrupted', "the dead process's import is marked interrupted on open");
    assert.deepEqual(readdirSync(thumbTempDir(imp.project.thumbsDir)), [], 'half-written thumbnails are gone');
    const before = count(imp.project, 'SELECT count(*) AS n FROM images');
    const final = await imp.run(data);
    assert.equal(final.status, 'done');
    assert.equal(final.imported, N - before);
    assert.equal(final.skipped, before);
    assert.equal(final.problems, 0);
    assert.equal(count(imp.project, 'SELECT count(*) AS n FROM images'), N);
    assert.equal(count(imp.project, 'SELECT count(DISTINCT hash) AS n FROM images'), N);
    assert.equal(count(imp.project, 'SELECT count(*) AS n FROM image_paths'), N);
    assert.equal(thumbFiles(imp.project).length, N);
    assert.deepEqual(
      imp.service.list().map((r) => r.status),
      ['done', 'interrupted'],
    );
  } finally {
    imp.project.close();
  }
});
