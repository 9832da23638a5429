// kill -9 during a training run (issue 13), at seeded random moments once the run trains:
// alternately the CLI that records the run and the training process itself. After each kill
// integrity_check is ok, reopening the project reads the run as interrupted (never running),
// its epochs are stored once each with no gap, and `studio resume` at the end completes it.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openProject } from '../../src-main/services/project/project';
import { RunService } from '../../src-main/services/runs/run-service';
import { makeProject, rowsAndCols, tempDir } from '../integration/runs/helpers';
import { epochs, isAlive, longRun, peekRows, sleep, waitGone, type EpochRow } from './helpers/process';
import { integrity, studioCli, studioRun, type CliRun } from './helpers/store';

const dir = tempDir('kill-run');
after(() => rmSync(dir, { recursive: true, force: true }));
// Fewer than the 10: each kill costs a new CLI and a new training process (tfjs, the
// backbone, the cached features), 17-29 s before its first epoch on two loaded cores, and 10
// kills took 263 s. Four kills, two of each victim, keep the probe near 2 minutes.
const TIMES = 4;
const EPOCHS = 400;

let state = 20260502;
const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;

const runRow = (project: string) =>
  peekRows<{ status: string; pid: number | null; message: string | null }>(
    project,
    'SELECT status, pid, message FROM runs WHERE id = 1',
  )[0];

/** The training process's pid once this try has stored an epoch of its own; null if the CLI ended first. */
async function trainingPid(project: string, cli: CliRun, recorded: number): Promise<number | null> {
  const t0 = Date.now();
  while (cli.child.exitCode === null && Date.now() - t0 < 120_000) {
    const run = runRow(project);
    if (run?.status === 'running' && run.pid && run.pid !== cli.child.pid && epochs(project).length > recorded)
      return run.pid;
    await sleep(25);
  }
  assert.equal(cli.child.exitCode, null, 'no epoch of its own within 120 s');
  return null;
}

/** Phase 1 epochs 0..count-1, each once. */
function assertContiguous(rows: EpochRow[], what: string): void {
  assert.deepEqual(
    rows.map((r) => `${r.phase}:${r.epoch}`),
    rows.map((_, i) => `1:${i}`),
    `${what}: every epoch once, no gap`,
  );
}

test(
  `a run killed at ${TIMES} random moments (the CLI or its training process): interrupted, never running, and resume completes it`,
  { timeout: 300_000 },
  async (t) => {
    const made = await makeProject(rowsAndCols(6, 0, 3), dir);
    made.project.close();
    const project = made.project.dir;
    const config = join(dir, 'run.json');
    // No early stopping: the run lasts long enough for every kill to fall between or within epochs.
    writeFileSync(config, JSON.stringify(longRun(EPOCHS, 5, 4)));
    const t0 = Date.now();
    let first: EpochRow | undefined;
    let kills = 0;
    for (let i = 0; i < TIMES; i++) {
      const recorded = epochs(project).length;
      const started = Date.now();
      const cli = i === 0 ? studioCli('train', project, '--config', config) : studioCli('resume', project, '1');
      const trainer = await trainingPid(project, cli, recorded);
      const training = Date.now() - started;
      if (trainer === null) break;
      const ms = random() * 300;
      await sleep(ms);
      const victim = i % 2 === 0 ? 'CLI' : 'training process';
      if (!isAlive(trainer) || cli.child.exitCode !== null) break;
      process.kill(i % 2 === 0 ? cli.child.pid! : trainer, 'SIGKILL');
      await cli.done;
      assert.ok((await waitGone(trainer, 10_000)) < 10_000, `kill ${i}: the training process ended`);
      kills++;
      const what = `kill ${i} (${victim}, ${ms.toFixed(0)} ms after an epoch)`;
      assert.equal(integrity(project), 'ok', what);
      // Reopened as `studio runs` reopens it: opening the run service marks a run whose process is gone.
      const reopened = openProject(project, { create: false, access: 'read' });
      const listed = new RunService(reopened, { progress() {}, epoch() {}, status() {} }).list();
      reopened.close();
      assert.deepEqual(
        listed.map((r) => r.status),
        ['interrupted'],
        what,
      );
      t.diagnostic(`${what}: its epochs came ${training} ms after the start`);
      const run = runRow(project)!;
      assert.equal(run.status, 'interrupted', `${what}: read as interrupted after reopening (${run.message})`);
      assert.match(run.message ?? '', /Resume goes on from its last finished epoch/);
      const rows = epochs(project);
      assertContiguous(rows, what);
      first ??= rows[0];
      assert.deepEqual(rows[0], first, `${what}: epoch 0 is never retrained`);
    }
    const last = await studioRun('resume', project, '1');
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stdout, /^Run 1 ".*": done/);
    const rows = epochs(project);
    assertContiguous(rows, 'after the last resume');
    assert.equal(rows.length, EPOCHS);
    assert.deepEqual(rows[0], first);
    assert.equal(runRow(project)!.status, 'done');
    assert.equal(integrity(project), 'ok');
    t.diagnostic(`${kills} kills, run completed, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    assert.equal(kills, TIMES, 'every try was killed while training');
  },
);
