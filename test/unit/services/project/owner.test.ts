// One window per project: a live owner in another process refuses a second window, a dead
// one is replaced, and releasing leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { OWNER_FILE, takeProject } from '../../../../src-main/services/project/owner';
import { StudioError } from '../../../../src-shared/errors';
import { Studio } from '../../../../src-main/services/studio';

const ownerFile = (dir: string) => join(dir, OWNER_FILE);
const writeOwner = (dir: string, pid: number, host = hostname()) =>
  writeFileSync(
    ownerFile(dir),
    JSON.stringify({ pid, host, door: 'the Finetune Studio server', startedAt: Date.UTC(2026, 0, 2) }),
  );

test('taken, then refused to another window while its process runs, replaced once it ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-owner-'));
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    writeOwner(dir, other.pid!);
    assert.throws(
      () => takeProject(dir, 'the Finetune Studio app'),
      (err: unknown) =>
        err instanceof StudioError &&
        err.code === 'busy' &&
        err.message.includes(`already open in the Finetune Studio server (process ${other.pid}`) &&
        err.message.includes('Switch to that window'),
    );
  } finally {
    other.kill('SIGKILL');
    await once(other, 'exit');
  }
  const release = takeProject(dir, 'the Finetune Studio app');
  assert.equal(JSON.parse(readFileSync(ownerFile(dir), 'utf8')).pid, process.pid);
  release();
  assert.equal(existsSync(ownerFile(dir)), false);
});

test('an owner on another machine (a shared disk) is refused; a damaged owner file is replaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-owner-'));
  writeOwner(dir, 1, 'another-box');
  assert.throws(
    () => takeProject(dir, 'the app'),
    (err: unknown) => err instanceof StudioError && /process 1 on another-box/.test(err.message),
  );
  writeFileSync(ownerFile(dir), '{broken');
  takeProject(dir, 'the app')();
});

test('a Studio with a door takes the project it opens and gives it back on close; one without never takes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-owner-studio-'));
  const config = mkdtempSync(join(tmpdir(), 'fs-owner-config-'));
  const window = new Studio({ door: 'the Finetune Studio app', configDir: config });
  window.open({ path: join(dir, 'p'), create: true });
  assert.equal(existsSync(ownerFile(join(dir, 'p'))), true);
  const command = new Studio({ configDir: config });
  command.open({ path: join(dir, 'p'), create: false }); // A command beside the window: SQLite keeps their writes apart.
  command.close();
  assert.equal(existsSync(ownerFile(join(dir, 'p'))), true, "the command leaves the window's claim alone");
  // Opening the same project again keeps it taken: the earlier take's release must not undo the new one.
  window.open({ path: join(dir, 'p'), create: false });
  assert.equal(existsSync(ownerFile(join(dir, 'p'))), true, 'still taken after reopening');
  window.close();
  assert.equal(existsSync(ownerFile(join(dir, 'p'))), false);
});
