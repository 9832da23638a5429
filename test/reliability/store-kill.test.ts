// kill -9 at random points (issue 13), 10 times each, during a CLI import, a label batch, a
// CSV labels import and a split: after each, integrity_check is ok, nothing is duplicated or
// lost or half-applied, and running the work again finishes it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { withStudio } from '../../src-main/cli/studio-client';
import { createClass } from '../../src-main/services/labels/labels';
import { openProject } from '../../src-main/services/project/project';
import { seededRandom } from '../../src-shared/random';
import {
  imageFolder,
  importHere,
  integrity,
  n,
  peek,
  splitOptions,
  studioCli,
  studioRun,
  tempDir,
  thumbState,
} from './helpers/store';
import { scriptArgv } from '../fixtures/children';

const base = tempDir('kill');
after(() => rmSync(base, { recursive: true, force: true }));
const TIMES = 10;

/** A seeded stream, so a failing kill moment can be replayed. */
const random = seededRandom(20260413);

async function killAfter(
  child: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null },
  ms: number,
  done: Promise<unknown>,
): Promise<boolean> {
  const timer = new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.race([timer, done]);
  const killed = child.exitCode === null && child.kill('SIGKILL');
  await done;
  return killed;
}

test(`an import killed at ${TIMES} random moments: one row per file, no orphan thumbnail, and it resumes`, async () => {
  const data = join(base, 'import-data');
  const files = await imageFolder(data, 80, 1);
  for (let i = 0; i < TIMES; i++) {
    const dir = join(base, `import-${i}`);
    const run = studioCli('import', dir, data, '--concurrency', '1');
    const ms = 800 + random() * 3000;
    const killed = await killAfter(run.child, ms, run.done);
    if (killed && existsSync(join(dir, 'studio.db'))) {
      assert.equal(integrity(dir), 'ok', `kill ${i} at ${ms.toFixed(0)} ms`);
      peek(dir, (db) => {
        assert.equal(
          n(db, 'SELECT count(*) AS n FROM images'),
          n(db, 'SELECT count(*) AS n FROM image_paths'),
          'no duplicate rows',
        );
      });
      assert.deepEqual(thumbState(dir).orphans, [], `kill ${i}: no thumbnail without its row`);
    }
    const again = await studioRun('import', dir, data);
    assert.equal(again.code, 0, again.stderr);
    peek(dir, (db) => {
      const paths = (db.prepare('SELECT path FROM image_paths').all() as { path: string }[]).map((r) => r.path).sort();
      assert.deepEqual(paths, [...files].sort(), `kill ${i}: every file exactly once after resuming`);
      assert.equal(n(db, 'SELECT count(*) AS n FROM images'), files.length);
      assert.equal(n(db, "SELECT count(*) AS n FROM imports WHERE status = 'running'"), 0);
    });
    assert.deepEqual(
      thumbState(dir),
      { orphans: [], missing: [], staged: [] },
      `kill ${i}: every image has its thumbnail after resuming`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`a label batch killed at ${TIMES} random moments: each edit all or nothing, and the batch resumes`, async () => {
  const dir = join(base, 'labels');
  const data = join(base, 'labels-data');
  await imageFolder(data, 200, 5000);
  assert.equal((await studioRun('import', dir, data)).code, 0);
  const p = openProject(dir, { create: false });
  const a = createClass(p.db, 'a', undefined, 1).classId;
  const b = createClass(p.db, 'b', undefined, 1).classId;
  const baseEdits = n(p.db as never, 'SELECT count(*) AS n FROM edits');
  p.close();
  const TOTAL = 1000;
  const script = join(import.meta.dirname, 'helpers', 'store-label-batch.ts');
  const batch = (from: number) => {
    const child = spawn(process.execPath, scriptArgv(script, dir, String(from), String(TOTAL), String(a), String(b)), {
      stdio: 'ignore',
    });
    return { child, done: new Promise((resolve) => child.on('close', resolve)) };
  };
  let kills = 0;
  for (let i = 0; i < TIMES; i++) {
    const done = peek(dir, (db) => n(db, 'SELECT count(*) AS n FROM edits')) - baseEdits;
    if (done >= TOTAL) break;
    const run = batch(done);
    // Kill once the batch is writing (its start-up takes longer than the edits on a fast
    // box), at a random moment within its next 400 ms.
    const writing = async () => {
      while (
        run.child.exitCode === null &&
        peek(dir, (db) => n(db, 'SELECT count(*) AS n FROM edits')) - baseEdits <= done
      )
        await new Promise((r) => setTimeout(r, 50));
    };
    await Promise.race([writing(), run.done]);
    if (await killAfter(run.child, random() * 400, run.done)) kills++;
    assert.equal(integrity(dir), 'ok');
    peek(dir, (db) => {
      const edits = n(db, 'SELECT count(*) AS n FROM edits') - baseEdits;
      const classes = db.prepare('SELECT class_id AS c, count(*) AS n FROM images GROUP BY class_id').all() as {
        c: number;
        n: number;
      }[];
      assert.equal(classes.length, 1, `kill ${i}: every image took every committed edit (${JSON.stringify(classes)})`);
      if (edits > 0)
        assert.equal(
          classes[0]!.c,
          (edits - 1) % 2 === 0 ? a : b,
          `kill ${i}: the labels are those of the last recorded edit`,
        );
      assert.equal(n(db, 'SELECT count(*) AS n FROM edit_changes WHERE edit_id > (SELECT max(id) FROM edits)'), 0);
    });
  }
  const rest = batch(peek(dir, (db) => n(db, 'SELECT count(*) AS n FROM edits')) - baseEdits);
  await rest.done;
  assert.ok(kills >= 1, 'at least one batch was killed mid-way');
  peek(dir, (db) =>
    assert.equal(n(db, 'SELECT count(*) AS n FROM edits') - baseEdits, TOTAL, 'resumed to exactly the planned edits'),
  );
});

test(`a CSV labels import killed at ${TIMES} random moments: all rows or none, and it resumes`, async () => {
  const dir = join(base, 'csv');
  const data = join(base, 'csv-data');
  const files = await imageFolder(data, 300, 8000);
  assert.equal((await studioRun('import', dir, data)).code, 0);
  const csv = join(base, 'labels.csv');
  // Every image moves to the other class folder's class: one edit of 300 changes.
  const target = new Map(files.map((f, i) => [f, `c${(i + 1) % 2}`]));
  writeFileSync(csv, ['path,label', ...[...target].map(([f, c]) => `${f},${c}`)].join('\n'));
  const moved = () =>
    peek(dir, (db) => {
      const rows = db
        .prepare(
          'SELECT p.path, c.name FROM image_paths p JOIN images i ON i.id = p.image_id JOIN classes c ON c.id = i.class_id',
        )
        .all() as { path: string; name: string }[];
      return rows.filter((r) => target.get(r.path) === r.name).length;
    });
  assert.equal(moved(), 0);
  for (let i = 0; i < TIMES; i++) {
    const undo = peek(dir, (db) => n(db, 'SELECT count(*) AS n FROM edits WHERE undone = 0'));
    const run = studioCli('labels', 'import', dir, csv);
    await killAfter(run.child, 1000 + random() * 2500, run.done);
    assert.equal(integrity(dir), 'ok');
    const now = moved();
    assert.ok(now === 0 || now === files.length, `kill ${i}: all or nothing, got ${now} of ${files.length}`);
    // Back to the start, so the next kill meets the same work.
    if (peek(dir, (db) => n(db, 'SELECT count(*) AS n FROM edits WHERE undone = 0')) > undo) {
      const p = openProject(dir, { create: false });
      const { undo: undoEdit } = await import('../../src-main/services/labels/labels');
      undoEdit(p.db);
      p.close();
    }
  }
  const last = await studioRun('labels', 'import', dir, csv);
  assert.equal(last.code, 0, last.stderr);
  assert.equal(moved(), files.length, 'resumed: every row applied');
});

test(`a split killed at ${TIMES} random moments: the old assignment or the whole new one, and it resumes to the same`, async (t) => {
  const dir = join(base, 'split');
  const data = join(base, 'split-data');
  await imageFolder(data, 300, 12000);
  await importHere(dir, data);
  /** hash -> "split/fold" as stored. */
  const stored = (project = dir) =>
    peek(
      project,
      (db) =>
        new Map(
          (
            db.prepare('SELECT hash, split, fold FROM images').all() as {
              hash: string;
              split: string | null;
              fold: number | null;
            }[]
          ).map((r) => [r.hash, `${r.split}/${r.fold}`]),
        ),
    );
  const splitAgain = (seed: number, project = dir) =>
    withStudio(project, async ({ api }) => {
      await api.curation.split(splitOptions(seed));
      await api.curation.manifest({ params: { seed, val: 0.2, test: 0.2, groupBy: null, folds: 3 } });
    });
  /** What a whole split with `seed` gives: split on a copy of the project, never killed. */
  const planned = async (seed: number) => {
    const copy = join(base, `split-plan-${seed}`);
    mkdirSync(copy);
    peek(dir, (db) => db.prepare('VACUUM INTO ?').run(join(copy, 'studio.db')));
    await splitAgain(seed, copy);
    return stored(copy);
  };
  const script = join(import.meta.dirname, 'helpers', 'store-split.ts');
  const child = (seed: number) => {
    const c = spawn(process.execPath, scriptArgv(script, dir, String(seed)), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const ready = new Promise<void>((resolve) =>
      c.stdout.on('data', (d) => ((out += d), out.includes('ready') && resolve())),
    );
    const done = new Promise((resolve) => c.on('close', resolve));
    return { child: c, ready: Promise.race([ready, done]), done, out: () => out };
  };
  // How long the split takes once the project is open: the kills fall within that, and a little after.
  await splitAgain(1);
  const calibration = child(2);
  await calibration.done;
  const splitMs = Number(/done ([\d.]+)/.exec(calibration.out())?.[1]);
  assert.ok(splitMs > 0, `the split child said: ${calibration.out()}`);
  let before = stored();
  const outcomes = { old: 0, new: 0 };
  for (let i = 0; i < TIMES; i++) {
    const seed = 100 + i;
    const expected = await planned(seed);
    assert.notDeepEqual(expected, before, 'the new seed moves some images');
    const edits = peek(dir, (db) => n(db, 'SELECT count(*) AS n FROM edits'));
    const run = child(seed);
    await run.ready;
    const ms = random() * splitMs * 1.3;
    await killAfter(run.child, ms, run.done);
    assert.equal(integrity(dir), 'ok', `kill ${i} at ${ms.toFixed(0)} ms`);
    const now = stored();
    const whole = [...now].every(([h, v]) => v === expected.get(h));
    const untouched = [...now].every(([h, v]) => v === before.get(h));
    assert.ok(whole || untouched, `kill ${i} at ${ms.toFixed(0)} ms: a mix of the old split and seed ${seed}'s`);
    outcomes[whole ? 'new' : 'old']++;
    peek(dir, (db) => {
      assert.equal(n(db, 'SELECT count(*) AS n FROM images'), 300, 'no image row added or lost');
      assert.equal(
        n(db, 'SELECT count(*) AS n FROM edits') - edits,
        whole ? 1 : 0,
        `kill ${i}: the split is one edit, or none`,
      );
      assert.equal(n(db, 'SELECT count(*) AS n FROM edit_changes WHERE edit_id NOT IN (SELECT id FROM edits)'), 0);
      assert.equal(n(db, 'SELECT count(*) - count(DISTINCT digest) AS n FROM manifests'), 0, 'one manifest per split');
    });
    await splitAgain(seed);
    assert.deepEqual(stored(), expected, `kill ${i}: splitting again with seed ${seed} gives its split`);
    peek(dir, (db) =>
      assert.equal(n(db, 'SELECT count(*) AS n FROM edits') - edits, 1, `kill ${i}: the split is recorded once`),
    );
    before = expected;
  }
  t.diagnostic(`split ${splitMs} ms; kills that left the old split ${outcomes.old}, the new one ${outcomes.new}`);
  assert.equal(integrity(dir), 'ok');
});
