// Where the training process's entry lives and how it is started. The host talks to one
// small interface, so it does not care whether the child is a Node fork (the server, the
// CLI, tests) or an Electron utility process (the desktop app registers that launcher).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A started training process, whichever way it was started. */
export interface EngineProcess {
  readonly pid: number | undefined;
  /** True until the process has exited. */
  readonly running: boolean;
  send(message: unknown): void;
  onMessage(listener: (raw: unknown) => void): void;
  /** `signal` is null where the launcher cannot tell (an Electron utility process). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Ends it at once, without a chance to clean up. */
  kill(): void;
  /** The last few KB of its stderr, for a failure's reason. */
  stderrTail(): string;
}

export interface EngineEntry {
  file: string;
  /** Node flags the child needs: tsx in development, none for the built entry. */
  execArgv: string[];
}

export type EngineLauncher = (entry: EngineEntry) => EngineProcess;

const STDERR_KEEP = 4000;

/**
 * From sources (this module is a .ts file run through tsx) the entry is src-training/process/entry.ts.
 * Built, every bundle sits in dist/<part>/ and the engine's in dist/engine/, also inside
 * app.asar, whose files Electron (and Electron run as node) reads like a folder.
 * STUDIO_ENGINE_ENTRY names a built entry to use from sources: the test line sets it, since
 * a training process starts in about 1 s built and 5 s through tsx.
 */
export function engineEntry(moduleUrl: string = import.meta.url, env: NodeJS.ProcessEnv = process.env): EngineEntry {
  const given = env.STUDIO_ENGINE_ENTRY;
  if (given) {
    if (!existsSync(given))
      throw new Error(
        `STUDIO_ENGINE_ENTRY names ${given}, which does not exist: run "npm run build:electron" or unset it`,
      );
    return { file: given, execArgv: [] };
  }
  if (moduleUrl.endsWith('.ts'))
    return {
      file: fileURLToPath(new URL('../../src-training/process/entry.ts', moduleUrl)),
      execArgv: ['--import', 'tsx'],
    };
  const file = fileURLToPath(new URL('../engine/entry.mjs', moduleUrl));
  if (!existsSync(file)) throw new Error(`the training process's entry is missing: ${file} (run "npm run build")`);
  return { file, execArgv: [] };
}

/** child_process.fork; the Electron binary runs it as plain Node. */
export const forkLauncher: EngineLauncher = (entry) => {
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  const child = fork(entry.file, [], { execArgv: entry.execArgv, env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-STDERR_KEEP)));
  return {
    get pid() {
      return child.pid;
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    send: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', (code, signal) => listener(code, signal)),
    kill: () => void child.kill('SIGKILL'),
    stderrTail: () => stderr,
  };
};

let current: EngineLauncher = forkLauncher;

/** The Electron main process swaps in its utility-process launcher before anything trains. */
export function setEngineLauncher(launcher: EngineLauncher): void {
  current = launcher;
}

export function launchEngine(entry: EngineEntry = engineEntry()): EngineProcess {
  return current(entry);
}
