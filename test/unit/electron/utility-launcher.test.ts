// Electron cannot run here, so utilityProcess.fork is emulated with what it is: a Node child
// whose script sees no Node IPC (`process.send` is absent), only `process.parentPort`. The
// real entry.ts runs in it behind parent-port.ts, as the built entry does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UtilityProcess } from 'electron';
import { utilityLauncher } from '../../../src-main/electron/utility-launcher';
import type { ForkUtility } from '../../../src-main/electron/utility-launcher';
import { runEngineTask } from '../../../src-main/training-host/host';
import { forkLauncher, setEngineLauncher } from '../../../src-main/training-host/launch';

const root = mkdtempSync(join(tmpdir(), 'fs-utility-'));
// Node's IPC carries the port's messages; the script's own 'message' listeners only hear
// what the port hands on (through parent-port.ts), as in a utility process.
const portEmulator = join(root, 'parent-port-emulator.mjs');
writeFileSync(
  portEmulator,
  `const send = process.send.bind(process);
process.send = undefined;
const listeners = [];
let fromPort = false;
const emit = process.emit;
process.emit = function (event, ...args) {
  if (event !== 'message' || fromPort) return emit.call(this, event, ...args);
  fromPort = true;
  try { for (const l of listeners) l({ data: args[0] }); } finally { fromPort = false; }
  return true;
};
process.parentPort = { postMessage: (m) => send(m), on: (_event, l) => void listeners.push(l) };
`,
);

const forks: Array<{ file: string; execArgv: string[] | undefined }> = [];

const emulatedFork: ForkUtility = (file, _args, options) => {
  forks.push({ file, execArgv: options?.execArgv });
  const child = fork(file, [], {
    execArgv: ['--import', portEmulator, ...(options?.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const proc = Object.assign(new EventEmitter(), {
    pid: child.pid,
    stdout: null,
    stderr: child.stderr,
    postMessage: (m: unknown) => child.connected && child.send(m as object),
    kill: () => child.kill('SIGTERM'),
  });
  child.on('message', (m) => proc.emit('message', m));
  child.on('exit', (code) => proc.emit('exit', code ?? 1));
  return proc as unknown as UtilityProcess;
};

after(() => setEngineLauncher(forkLauncher));

test('the engine answers through a utility process: a job in, the engine reason out', async () => {
  // The built entry when scripts/test.mjs made it (STUDIO_ENGINE_ENTRY: it loads in about 1 s
  // against 5 s through tsx); run alone, the sources composed as scripts/build-electron.mjs
  // composes it, parent-port.ts first.
  let entry = process.env.STUDIO_ENGINE_ENTRY;
  let execArgv: string[] = [];
  if (!entry) {
    entry = join(root, 'engine-entry.mts');
    writeFileSync(
      entry,
      `import '${join(process.cwd(), 'src-training/process/parent-port.ts')}';\nimport '${join(process.cwd(), 'src-training/process/entry.ts')}';\n`,
    );
    execArgv = ['--import', 'tsx'];
  }
  setEngineLauncher(utilityLauncher(emulatedFork));
  const task = runEngineTask(
    {
      type: 'export',
      config: {
        backboneId: 'nsfwjs_mobilenet_v2',
        inputSize: 96,
        phase1: { epochs: 1, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 } },
      },
      classes: ['a', 'b'],
      checkpoint: join(root, 'no-checkpoint'),
      outDir: join(root, 'out'),
      runId: '1',
      configDigest: 'x'.repeat(64),
      modelCache: join(root, 'models'),
      backend: 'wasm',
    },
    { entry, execArgv },
  );
  // The engine's own reason (it read the missing checkpoint), not a process that died mute.
  await assert.rejects(
    task,
    (err: Error) => !/without a result/.test(err.message) && /no-checkpoint/.test(err.message),
  );
  assert.equal(forks.length, 1);
  assert.equal(forks[0]!.file, entry);
});

test('exit codes pass through, the signal is unknown, and kill ends it', async () => {
  const file = join(root, 'wait.mjs');
  writeFileSync(file, 'setInterval(() => {}, 1000);\n');
  const child = utilityLauncher(emulatedFork)({ file, execArgv: [] });
  const end = new Promise<[number | null, string | null]>((resolve) =>
    child.onExit((code, signal) => resolve([code, signal])),
  );
  assert.equal(child.running, true);
  child.kill();
  const [code, signal] = await end;
  assert.equal(signal, null);
  assert.equal(typeof code, 'number');
  assert.equal(child.running, false);
});
