// A recorded pid counts as running only while its process runs: an ended process that nobody
// reaped (a zombie) is not running, or a killed CLI's run would never read as interrupted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { isProcessAlive } from '../../../../src-main/services/project/process-alive';

test(
  'a running process is alive; one that ended unreaped (a zombie) is not',
  { skip: process.platform !== 'linux' && 'zombies are read from /proc' },
  async () => {
    // The shell starts a short sleep and then becomes a long one, which never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
      const child = Number(String(line).trim());
      assert.equal(isProcessAlive(child), true, 'the short sleep runs');
      const t0 = Date.now();
      while (isProcessAlive(child) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
      assert.equal(isProcessAlive(child), false, 'ended, unreaped: not alive');
      process.kill(child, 0); // still in the process table: the probe above saw a zombie, not a missing pid
      assert.equal(isProcessAlive(parent.pid!), true);
    } finally {
      parent.kill('SIGKILL');
    }
  },
);

test('a pid that does not exist is not alive', () => {
  assert.equal(isProcessAlive(2 ** 22 + 1), false);
});
