// A CLI training run killed with SIGKILL mid-run: its training process ends within 2 s (it
// watches its parent), and `studio resume PROJECT RUN` finishes the run from its last
// checkpoint, with every epoch recorded once and the epochs before the kill left as they were.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeTinyFixture } from '../e2e/tiny-fixture';
import { studio, studioAsync } from '../integration/import/cli-run';
import { skipWithoutData } from '../fixtures/fashion-copies';
import { epochs, isAlive, longRun, peekRows as peek, sleep, waitGone } from './helpers/process';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);
const EPOCHS = 150;

test(
  'kill -9 of `studio train` ends its training process; `studio resume` finishes the run with no epoch twice',
  { skip: skipWithoutData, timeout: 480_000 },
  async () => {
    const data = temp('data');
    await writeTinyFixture(data);
    const project = temp('project');
    assert.equal(studio('import', project, data).status, 0);
    const config = join(temp('config'), 'run.json');
    // No early stopping: the run must last long enough to be killed between epochs.
    writeFileSync(config, JSON.stringify(longRun(EPOCHS, 5)));
    const cli = studioAsync('train', project, '--config', config);
    let child = 0;
    const t0 = Date.now();
    for (;;) {
      assert.equal(cli.exitCode, null, 'the training command ended before it could be killed');
      assert.ok(Date.now() - t0 < 240_000, 'no epoch recorded in 240 s');
      const run = peek<{ pid: number | null; status: string }>(project, 'SELECT pid, status FROM runs WHERE id = 1')[0];
      if (run?.status === 'running' && run.pid && run.pid !== cli.pid && epochs(project).length >= 2) {
        child = run.pid;
        break;
      }
      await sleep(25);
    }
    assert.ok(isAlive(child));
    cli.kill('SIGKILL');
    const goneMs = await waitGone(child, 10_000);
    if (isAlive(child)) process.kill(child, 'SIGKILL');
    assert.ok(goneMs < 2000, `the training process was still running ${goneMs} ms after the CLI was killed`);
    const before = epochs(project);
    assert.ok(before.length < EPOCHS, `the run finished (${before.length} epochs) before the kill`);

    const resumed = studio('resume', project, '1');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /^Run 1 ".*": done/);
    const afterRows = epochs(project);
    assert.deepEqual(
      afterRows.map((r) => r.epoch),
      Array.from({ length: EPOCHS }, (_, i) => i),
      'every epoch once, in order',
    );
    // Epoch 0 was checkpointed before epoch 1 ended: a resume that retrained it would rewrite its row.
    assert.deepEqual(afterRows[0], before[0]);
    assert.equal(peek<{ status: string }>(project, 'SELECT status FROM runs WHERE id = 1')[0]!.status, 'done');

    const again = studio('resume', project, '1');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^studio: Run 1 is done; only an interrupted run can be resumed/);
    const missing = studio('resume', project, '7');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no run 7/);
  },
);
