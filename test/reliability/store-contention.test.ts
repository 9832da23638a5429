// Nothing is lost under contention (issue 13): a CLI import of 500 images while 5 clients
// label as fast as they can, 5 times over; and the SQLite fact the fix rests on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { StudioError } from '../../src-shared/errors';
import { ImportService } from '../../src-main/services/import/import-service';
import { createClass } from '../../src-main/services/labels/labels';
import { openProject } from '../../src-main/services/project/project';
import { BUSY_TIMEOUT_MS, writeTx } from '../../src-main/store/db';
import { imageFolder, integrity, n, newImagesIn, peek, STACK, studioCli, tempDir, thumbState } from './helpers/store';
import { scriptArgv } from '../fixtures/children';

const base = tempDir('contention');
after(() => rmSync(base, { recursive: true, force: true }));

const ROUNDS = 5;
const IMAGES = 500;
const CLIENTS = 5;
const PER_CLIENT = 12;

test('a deferred transaction that read first gets SQLITE_BUSY at once; an immediate one waits for the lock', () => {
  const file = join(base, 'busy.db');
  const holder = new BetterSqlite3(file);
  holder.pragma('journal_mode = WAL');
  holder.exec('CREATE TABLE t (x INTEGER)');
  const other = new BetterSqlite3(file);
  other.pragma('busy_timeout = 300');
  holder.exec('BEGIN IMMEDIATE');
  holder.prepare('INSERT INTO t VALUES (1)').run();
  try {
    const deferred = other.transaction(() => {
      other.prepare('SELECT count(*) FROM t').get();
      other.prepare('INSERT INTO t VALUES (2)').run();
    });
    let t0 = Date.now();
    assert.throws(
      () => deferred(),
      (e: unknown) => (e as { code?: string }).code === 'SQLITE_BUSY',
    );
    assert.ok(Date.now() - t0 < 150, `deferred failed after ${Date.now() - t0} ms: without waiting`);
    t0 = Date.now();
    assert.throws(
      () => other.transaction(() => other.prepare('INSERT INTO t VALUES (3)').run()).immediate(),
      (e: unknown) => (e as { code?: string }).code === 'SQLITE_BUSY',
    );
    assert.ok(Date.now() - t0 >= 250, `immediate gave up after ${Date.now() - t0} ms: it waited for busy_timeout`);
  } finally {
    holder.exec('COMMIT');
  }
  // And writeTx says so in words once its limit has passed, with nothing written.
  holder.exec('BEGIN IMMEDIATE');
  const studioDb = new BetterSqlite3(file);
  studioDb.pragma('busy_timeout = 200');
  try {
    assert.throws(
      () => writeTx(studioDb, () => studioDb.prepare('INSERT INTO t VALUES (4)').run()),
      (e: unknown) =>
        e instanceof StudioError &&
        e.code === 'busy' &&
        /project is busy: another studio window or command is writing to .*busy\.db.*try again/.test(e.message),
    );
  } finally {
    holder.exec('COMMIT');
  }
  assert.equal((studioDb.prepare('SELECT count(*) AS n FROM t WHERE x = 4').get() as { n: number }).n, 0);
  for (const db of [holder, other, studioDb]) db.close();
  assert.ok(BUSY_TIMEOUT_MS >= 5000, 'the stated limit leaves room for an import batch');
});

interface ClientReport {
  expected: [number, number | null][];
  calls: number;
  edits: number;
  errors: string[];
}

const labeler = join(import.meta.dirname, 'helpers', 'store-labeler.ts');

async function client(
  projectDir: string,
  imageIds: number[],
  classIds: number[],
  stopFile: string,
  seed: number,
): Promise<ClientReport> {
  const child = spawn(
    process.execPath,
    scriptArgv(labeler, JSON.stringify({ projectDir, imageIds, classIds, stopFile, seed })),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`a labeling client failed (${code}): ${err}`);
  return JSON.parse(out) as ClientReport;
}

test(`a CLI import of ${IMAGES} images while ${CLIENTS} clients label, ${ROUNDS} times: every file once, every label kept, no orphan thumbnail`, async () => {
  const projectDir = join(base, 'project');
  // Images for the clients to label, and two classes.
  const seed = openProject(projectDir, { create: true });
  const importer = new ImportService(seed, () => {});
  await imageFolder(join(base, 'seed'), CLIENTS * PER_CLIENT, 1);
  importer.start({ folder: join(base, 'seed') });
  await importer.idle();
  const classIds = [
    createClass(seed.db, 'alpha', undefined, 1).classId,
    createClass(seed.db, 'beta', undefined, 1).classId,
  ];
  const ids = (seed.db.prepare('SELECT id FROM images ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  seed.close();
  assert.equal(ids.length, CLIENTS * PER_CLIENT);

  let stored = ids.length;
  let editsSoFar = peek(projectDir, (db) => n(db, 'SELECT count(*) AS n FROM edits'));
  for (let round = 0; round < ROUNDS; round++) {
    const folder = join(base, `round${round}`);
    const files = await imageFolder(folder, IMAGES, 10_000 + round * IMAGES);
    const stop = join(base, `stop${round}`);
    const t0 = Date.now();
    const run = studioCli('import', projectDir, folder);
    const clients = Array.from({ length: CLIENTS }, (_, c) =>
      client(projectDir, ids.slice(c * PER_CLIENT, (c + 1) * PER_CLIENT), classIds, stop, round * 10 + c + 1),
    );
    const out = await run.done;
    writeFileSync(stop, '');
    const reports = await Promise.all(clients);
    const seconds = (Date.now() - t0) / 1000;

    assert.equal(out.code, 0, `round ${round}: the import failed: ${out.stdout}${out.stderr}`);
    assert.doesNotMatch(out.stderr, STACK);
    assert.deepEqual(
      reports.flatMap((r) => r.errors),
      [],
      `round ${round}: a label change was refused`,
    );
    const summaryCount = newImagesIn(out.stdout);
    peek(projectDir, (db) => {
      const paths = db.prepare('SELECT path FROM image_paths WHERE path LIKE ?').all(`${folder}/%`) as {
        path: string;
      }[];
      assert.deepEqual(
        paths.map((p) => p.path).sort(),
        [...files].sort(),
        `round ${round}: every file stored exactly once`,
      );
      assert.equal(n(db, 'SELECT count(*) AS n FROM images'), stored + IMAGES);
      assert.equal(summaryCount, IMAGES, 'the summary counts what was stored');
      for (const report of reports) {
        for (const [id, classId] of report.expected) {
          assert.equal(
            (db.prepare('SELECT class_id AS c FROM images WHERE id = ?').get(id) as { c: number | null }).c,
            classId,
            `round ${round}: image ${id} keeps its last label`,
          );
        }
      }
      const edits = reports.reduce((s, r) => s + r.edits, 0);
      assert.equal(
        n(db, 'SELECT count(*) AS n FROM edits'),
        editsSoFar + edits,
        'every recorded change is in the history',
      );
      editsSoFar += edits;
    });
    stored += IMAGES;
    const calls = reports.reduce((s, r) => s + r.calls, 0);
    console.log(
      `round ${round}: ${IMAGES} imported with ${calls} label calls from ${CLIENTS} clients in ${seconds.toFixed(1)} s`,
    );
  }
  const thumbs = thumbState(projectDir);
  assert.deepEqual(thumbs, { orphans: [], missing: [], staged: [] });
  assert.equal(integrity(projectDir), 'ok');
});
