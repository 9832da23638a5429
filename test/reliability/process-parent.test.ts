// The training process ends when its parent dies, even while its main thread is stuck in a
// long synchronous step (where the IPC 'disconnect' event cannot be heard): a parent is
// killed with SIGKILL and its child must be gone within 2 s.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { isAlive, waitGone } from './helpers/process';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'studio-parent-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A parent that forks `child` and prints the child's pid once the child says it is ready. */
function writeScripts(child: string): string {
  const parent = join(dir, 'parent.mjs');
  writeFileSync(
    parent,
    `import { fork } from 'node:child_process';
const c = fork(${JSON.stringify(child)}, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
c.on('message', () => console.log('child ' + c.pid));
setInterval(() => {}, 1000);
`,
  );
  return parent;
}

async function killParentAndTime(childScript: string): Promise<{ pid: number; goneMs: number }> {
  const parent = spawn(process.execPath, ['--import', 'tsx', writeScripts(childScript)], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /child (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    parent.on('exit', () => reject(new Error(`parent exited early: ${out}`)));
  });
  assert.ok(isAlive(pid));
  parent.kill('SIGKILL');
  const goneMs = await waitGone(pid, 10_000);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return { pid, goneMs };
}

test('a child stuck in a synchronous loop ends within 2 s of its parent being killed', async () => {
  const child = join(dir, 'busy-child.ts');
  const watch = pathToFileURL(join(repo, 'src-training', 'process', 'parent-watch.ts')).href;
  // Blocks its main thread for good once ready: only the watcher thread can end it.
  writeFileSync(
    child,
    `import { watchParent } from ${JSON.stringify(watch)};
watchParent();
process.send!('ready', () => { for (;;) {} });
`,
  );
  const { goneMs } = await killParentAndTime(child);
  assert.ok(goneMs < 2000, `the child was still running ${goneMs} ms after its parent died`);
});

test('without the watcher the same child outlives its parent (the probe can tell)', async () => {
  const child = join(dir, 'unwatched-child.ts');
  writeFileSync(
    child,
    `process.on('disconnect', () => process.exit(3));
process.send!('ready', () => { const end = Date.now() + 4000; while (Date.now() < end) {} });
`,
  );
  const { goneMs } = await killParentAndTime(child);
  assert.ok(
    goneMs >= 3000,
    `the unwatched child ended after ${goneMs} ms; the probe would not catch a missing watcher`,
  );
});
