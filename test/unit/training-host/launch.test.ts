import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { engineEntry, forkLauncher, launchEngine, setEngineLauncher } from '../../../src-main/training-host/launch';
import type { EngineProcess } from '../../../src-main/training-host/launch';

const root = mkdtempSync(join(tmpdir(), 'fs-launch-'));

test('from sources the entry is src-training/process/entry.ts, run through tsx', () => {
  const found = engineEntry('file:///work/app/src-main/training-host/host.ts', {});
  assert.deepEqual(found, { file: '/work/app/src-training/process/entry.ts', execArgv: ['--import', 'tsx'] });
});

test('a built bundle finds dist/engine/entry.mjs beside its own folder, also inside app.asar', () => {
  for (const base of [join(root, 'dist'), join(root, 'resources', 'app.asar', 'dist')]) {
    mkdirSync(join(base, 'engine'), { recursive: true });
    writeFileSync(join(base, 'engine', 'entry.mjs'), '');
    const found = engineEntry(pathToFileURL(join(base, 'server', 'cli-serve.mjs')).href, {});
    assert.deepEqual(found, { file: join(base, 'engine', 'entry.mjs'), execArgv: [] });
  }
});

test('a bundle without the built entry says what is missing', () => {
  assert.throws(
    () => engineEntry(pathToFileURL(join(root, 'nowhere', 'cli', 'studio.mjs')).href, {}),
    /entry is missing: .*entry\.mjs.*npm run build/,
  );
});

test('STUDIO_ENGINE_ENTRY names a built entry to run from sources, and a missing one is named', () => {
  const built = join(root, 'built-entry.mjs');
  writeFileSync(built, '');
  assert.deepEqual(engineEntry('file:///work/app/src-main/training-host/host.ts', { STUDIO_ENGINE_ENTRY: built }), {
    file: built,
    execArgv: [],
  });
  assert.throws(
    () => engineEntry('file:///x/host.ts', { STUDIO_ENGINE_ENTRY: join(root, 'gone.mjs') }),
    /STUDIO_ENGINE_ENTRY names .*gone\.mjs, which does not exist: run "npm run build:electron"/,
  );
});

function script(name: string, body: string): string {
  const file = join(root, name);
  writeFileSync(file, body);
  return file;
}

function exited(child: EngineProcess): Promise<[number | null, string | null]> {
  return new Promise((resolve) => child.onExit((code, signal) => resolve([code, signal])));
}

test('a forked child answers over the interface and reports its exit', async () => {
  const file = script(
    'echo.mjs',
    "process.on('message', (m) => process.send({ echo: m }, () => { console.error('bye'); process.exit(0); }));\n",
  );
  const child = forkLauncher({ file, execArgv: [] });
  const got = new Promise((resolve) => child.onMessage(resolve));
  const end = exited(child);
  child.send({ hello: 1 });
  assert.deepEqual(await got, { echo: { hello: 1 } });
  assert.deepEqual(await end, [0, null]);
  assert.equal(child.running, false);
  assert.match(child.stderrTail(), /bye/);
});

test('kill ends a child at once, and the exit carries the signal', async () => {
  const file = script('wait.mjs', 'setInterval(() => {}, 1000);\n');
  const child = forkLauncher({ file, execArgv: [] });
  assert.equal(child.running, true);
  assert.ok(child.pid);
  const end = exited(child);
  child.kill();
  assert.deepEqual(await end, [null, 'SIGKILL']);
  child.send({ late: true }); // to a gone process: ignored, not thrown
});

test('a registered launcher replaces the fork for every later start', () => {
  const seen: string[] = [];
  setEngineLauncher((entry) => {
    seen.push(entry.file);
    return { pid: 7, running: false, send() {}, onMessage() {}, onExit() {}, kill() {}, stderrTail: () => '' };
  });
  try {
    assert.equal(launchEngine({ file: '/x/entry.mjs', execArgv: [] }).pid, 7);
    assert.deepEqual(seen, ['/x/entry.mjs']);
  } finally {
    setEngineLauncher(forkLauncher);
  }
});
