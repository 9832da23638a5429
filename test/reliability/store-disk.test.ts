// Clear errors for a broken disk or database (issue 13): disk full (SQLite's page limit during
// an import and during a training run, and a real 2 MB tmpfs), a read-only project (a read-only mount, and the readOnly option), a
// damaged file and a newer schema. Each says what happened, names the file, prints no stack,
// and the project opens afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StudioError } from '../../src-shared/errors';
import { ImportService } from '../../src-main/services/import/import-service';
import { openProject } from '../../src-main/services/project/project';
import { RunService } from '../../src-main/services/runs/run-service';
import { RunConfig } from '../../src-shared/engine-config';
import { makeProject, recorder, rowsAndCols } from '../integration/runs/helpers';
import { Studio } from '../../src-main/services/studio';
import { latestVersion, migrations } from '../../src-main/store/migrations/index';
import { listBackups } from '../../src-main/store/backups';
import BetterSqlite3 from 'better-sqlite3';
import { longRun } from './helpers/process';
import { imageFolder, importHere, integrity, n, peek, STACK, studioRun, tempDir, thumbState } from './helpers/store';

const base = tempDir('disk');
const mounts: string[] = [];
after(() => {
  for (const m of mounts) tryMount(['-l', m], 'umount');
  rmSync(base, { recursive: true, force: true });
});

function tryMount(args: string[], cmd = 'mount'): string | null {
  try {
    execFileSync(cmd, args, { stdio: 'pipe' });
    return null;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err).trim();
  }
}

/** A tmpfs of `size` at a new folder, or the reason it could not be made (not root, no CAP_SYS_ADMIN). */
function tmpfs(name: string, size: string): { dir: string } | { skip: string } {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  const why = tryMount(['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (why !== null) return { skip: `mount is not permitted here (${why}); the option-based cases still run` };
  mounts.push(dir);
  return { dir };
}

const code =
  (c: string, ...words: (string | RegExp)[]) =>
  (err: unknown) =>
    err instanceof StudioError &&
    err.code === c &&
    words.every((w) => (typeof w === 'string' ? err.message.includes(w) : w.test(err.message)));

describe('disk full', () => {
  test('SQLite page limit: the import ends failed with "disk full", keeps what it stored, and the project opens', async () => {
    const data = join(base, 'pages-data');
    await imageFolder(data, 300, 1);
    const dir = join(base, 'pages');
    const project = openProject(dir, { create: true });
    const pages = project.db.pragma('page_count', { simple: true }) as number;
    project.db.pragma(`max_page_count = ${pages + 6}`);
    const events: { status: string; message?: string; imported: number }[] = [];
    const service = new ImportService(project, (p) => events.push(p), Date.now, { batchSize: 16 });
    const { importId } = service.start({ folder: data });
    await service.idle();
    const final = events.at(-1)!;
    assert.equal(final.status, 'failed');
    assert.match(final.message ?? '', /^Disk full: .*studio\.db could not grow.*Free some space/);
    assert.equal(service.list()[0]!.status, 'failed', 'recorded as failed, never left running');
    assert.equal(
      final.imported,
      n(project.db as never, 'SELECT count(*) AS n FROM images'),
      'the summary counts what was stored',
    );
    assert.ok(final.imported > 0 && final.imported < 300, `stored ${final.imported} before the limit`);
    project.close();
    assert.deepEqual(thumbState(dir), { orphans: [], missing: [], staged: [] }, 'no thumbnail without its row');
    for (const cmd of ['info', 'runs']) {
      const r = await studioRun(cmd, dir);
      assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    }
    assert.match((await studioRun('info', dir)).stdout, new RegExp(`Last import .*: failed`));
    const again = await studioRun('import', dir, data);
    assert.equal(again.code, 0, again.stderr);
    peek(dir, (db) => assert.equal(n(db, 'SELECT count(*) AS n FROM image_paths'), 300));
    assert.equal(integrity(dir), 'ok');
    assert.ok(importId > 0);
  });

  test(
    'SQLite page limit during a run: the run ends failed with "disk full", never running, and the project opens',
    { timeout: 240_000 },
    async (t) => {
      const made = await makeProject(rowsAndCols(6, 0, 3), join(base, 'run-full'));
      const { project } = made;
      const events = recorder();
      const service = new RunService(project, events.events);
      const EPOCHS = 200;
      const config = RunConfig.parse(longRun(EPOCHS, 3, 4));
      const {
        runIds: [runId],
      } = service.start({ config });
      // The run is stored; what it writes from here on (epochs, summaries, findings, predictions) must fit in 2 more pages.
      project.db.pragma(`max_page_count = ${(project.db.pragma('page_count', { simple: true }) as number) + 2}`);
      await service.idle();
      const run = service.get({ runId: runId! });
      assert.equal(run.status, 'failed', run.message ?? '');
      assert.match(
        run.message ?? '',
        new RegExp(
          `Disk full: ${join(project.dir, 'studio.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not grow.*Free some space`,
        ),
      );
      assert.doesNotMatch(run.message ?? '', STACK);
      assert.deepEqual(events.statuses.at(-1), { runId, status: 'failed', message: run.message });
      const stored = n(project.db as never, 'SELECT count(*) AS n FROM run_epochs WHERE run_id = ?', runId);
      assert.ok(
        stored > 0 && stored < EPOCHS,
        `the limit was hit during training: ${stored} of ${EPOCHS} epochs stored`,
      );
      t.diagnostic(`${stored} of ${EPOCHS} epochs stored before the disk was full`);
      project.close();
      for (const cmd of ['info', 'runs']) {
        const r = await studioRun(cmd, project.dir);
        assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
        assert.doesNotMatch(r.stdout + r.stderr, STACK);
      }
      assert.match((await studioRun('runs', project.dir)).stdout, /failed/);
      peek(project.dir, (db) =>
        assert.equal(
          (db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string }).status,
          'failed',
          'still failed after reopening',
        ),
      );
      assert.equal(integrity(project.dir), 'ok');
    },
  );

  test(
    'a tmpfs that fills during a run: the run ends failed with the reason, never running, and the end is stored once there is space',
    { timeout: 240_000 },
    async (t) => {
      const fs = tmpfs('tmpfs-run', '16m');
      if ('skip' in fs) return t.skip(fs.skip);
      const made = await makeProject(rowsAndCols(6, 0, 3), join(fs.dir, 'run'));
      const { project } = made;
      const filler = join(fs.dir, 'filler');
      // The first epoch is stored; then the disk is full for everything after it.
      const events = recorder(() => {
        if (events.epochs.length === 1) fillUp(filler);
      });
      const service = new RunService(project, events.events);
      const config = RunConfig.parse(longRun(200, 3, 4));
      const {
        runIds: [runId],
      } = service.start({ config });
      await service.idle();
      const live = service.get({ runId: runId! });
      assert.equal(live.status, 'failed', live.message ?? '');
      assert.match(live.message ?? '', /[Dd]isk full.*(Free some space|free some space)/);
      assert.doesNotMatch(live.message ?? '', STACK);
      assert.deepEqual(events.statuses.at(-1), { runId, status: 'failed', message: live.message });
      rmSync(filler, { force: true });
      assert.equal(service.list().find((r) => r.id === runId)?.status, 'failed');
      peek(project.dir, (db) => {
        const row = db.prepare('SELECT status, message FROM runs WHERE id = ?').get(runId) as {
          status: string;
          message: string;
        };
        assert.deepEqual(row, { status: 'failed', message: live.message }, 'stored once there was space');
      });
      await service.stop();
      project.close();
    },
  );

  test('a full 2 MB tmpfs: the CLI import says "disk full" without a stack; info and runs still work', async (t) => {
    const fs = tmpfs('tmpfs-full', '2m');
    if ('skip' in fs) return t.skip(fs.skip);
    const data = join(base, 'full-data');
    await imageFolder(data, 200, 5000, 256);
    const dir = join(fs.dir, 'project');
    const r = await studioRun('import', dir, data);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /: failed \([Dd]isk full: .*(Free some space|free some space)/);
    assert.doesNotMatch(r.stdout + r.stderr, STACK);
    for (const cmd of ['info', 'runs']) {
      const out = await studioRun(cmd, dir);
      assert.equal(out.code, 0, `${cmd} on the full disk: ${out.stderr}`);
      assert.doesNotMatch(out.stderr, STACK);
    }
    peek(dir, (db) =>
      assert.notEqual((db.prepare('SELECT status FROM imports').get() as { status: string }).status, 'running'),
    );
    assert.deepEqual(thumbState(dir).orphans, []);
    assert.deepEqual(thumbState(dir).staged, []);
    assert.equal(integrity(dir), 'ok');
  });
});

describe('read-only project', () => {
  test('on a read-only mount: reading commands work, writing ones say "read-only" and what to do', async (t) => {
    const fs = tmpfs('ro', '16m');
    if ('skip' in fs) return t.skip(fs.skip);
    const data = join(base, 'ro-data');
    await imageFolder(data, 20, 9000);
    const dir = join(fs.dir, 'project');
    assert.equal((await studioRun('import', dir, data)).code, 0);
    const why = tryMount(['-o', 'remount,ro', fs.dir]);
    if (why !== null) return t.skip(`remount read-only is not permitted: ${why}`);
    const csv = join(base, 'ro-labels.csv');
    for (const args of [
      ['info', dir],
      ['runs', dir],
      ['labels', 'export', dir, csv],
    ]) {
      const r = await studioRun(...args);
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
    }
    assert.match((await studioRun('info', dir)).stdout, /Images {3}20/);
    const write = await studioRun('import', dir, data);
    assert.equal(write.code, 1);
    assert.match(write.stderr, /^studio: .*studio\.db is read-only .*Make the folder and studio\.db writable/);
    assert.doesNotMatch(write.stderr, STACK);

    const studio = new Studio();
    const info = studio.open({ path: dir, create: false });
    assert.equal(info.readOnly, true);
    const h = studio.handlers();
    assert.equal((await h.dataset.images({ filter: {}, offset: 0, limit: 5 })).total, 20);
    assert.throws(() => h.classes.create({ name: 'new' }), code('read-only', join(dir, 'studio.db'), 'writable'));
    studio.close();
    assert.equal(tryMount(['-o', 'remount,rw', fs.dir]), null);
    const p = openProject(dir, { create: false });
    assert.equal(p.readOnly, false, 'writable again once the mount is');
    p.close();
  });

  test('the readOnly option: the server opens read-only, shows it, and refuses writes in words', async () => {
    const dir = join(base, 'ro-option');
    const data = join(base, 'ro-option-data');
    await imageFolder(data, 6, 9500);
    await importHere(dir, data);
    const p = openProject(dir, { create: false, access: 'read', readOnly: true });
    assert.equal(p.readOnly, true);
    assert.throws(
      () => p.db.prepare("INSERT INTO classes (name, color, created_at) VALUES ('x', '#000', 1)").run(),
      /readonly/,
    );
    p.close();
    assert.throws(() => openProject(dir, { create: false, readOnly: true }), code('read-only', 'reading commands'));
  });
});

describe('a damaged or newer database', () => {
  const dir = join(base, 'damaged');
  const dbFile = join(dir, 'studio.db');

  test('garbage over the header: refused, naming the file, its WAL and the backup made before the last upgrade', async () => {
    mkdirSync(dir, { recursive: true });
    // A project at the previous schema: opening it upgrades, and backs up first.
    const old = new BetterSqlite3(dbFile);
    old.pragma('journal_mode = WAL');
    for (const m of migrations.slice(0, -1)) m.up(old);
    old.pragma(`user_version = ${latestVersion - 1}`);
    old.close();
    openProject(dir, { create: false }).close();
    const backup = listBackups(dbFile)[0]!.path;
    assert.match(backup, new RegExp(`-before-v${latestVersion - 1}\\.db$`));
    peek(dir, () => undefined);
    const fd = openSync(dbFile, 'r+');
    writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
    closeSync(fd);
    assert.throws(
      () => openProject(dir, { create: false }),
      code('corrupt-project', dbFile, `${dbFile}-wal`, backup, `studio restore ${dir}`),
    );
    const r = await studioRun('info', dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^studio: .*studio\.db is damaged and was not opened/);
    assert.doesNotMatch(r.stderr, STACK);
    // Following the message: the backup brings the project back.
    copyFileSync(backup, dbFile);
    rmSync(`${dbFile}-wal`, { force: true });
    rmSync(`${dbFile}-shm`, { force: true });
    const back = await studioRun('info', dir);
    assert.equal(back.code, 0, back.stderr);
  });

  test(`user_version ${latestVersion + 1}: refused as written by a newer version, untouched, and opens once set back`, async () => {
    peek(dir, (db) => db.pragma(`user_version = ${latestVersion + 1}`));
    for (const cmd of ['info', 'runs', 'import']) {
      const r = await studioRun(cmd, dir, ...(cmd === 'import' ? [base] : []));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^studio: .*studio\.db was written by a newer Finetune Studio .*Update Finetune Studio/);
      assert.doesNotMatch(r.stderr, STACK);
    }
    assert.equal(
      peek(dir, (db) => db.pragma('user_version', { simple: true })),
      latestVersion + 1,
      'left untouched',
    );
    peek(dir, (db) => db.pragma(`user_version = ${latestVersion}`));
    assert.equal((await studioRun('info', dir)).code, 0);
  });
});

/** Fills the disk under `file` to its last byte. */
function fillUp(file: string): void {
  const fd = openSync(file, 'a');
  try {
    for (const size of [64 * 1024, 512, 1]) {
      const block = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, block);
      } catch {
        // ENOSPC at this size: go on with a smaller one.
      }
    }
  } finally {
    closeSync(fd);
  }
}
