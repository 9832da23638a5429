// The training process as an Electron utility process: a Node child that Electron starts,
// supervises and reports in its process metrics, and that reads its script from app.asar.
import type { ForkOptions, UtilityProcess } from 'electron';
import type { EngineLauncher } from '../training-host/launch';

export type ForkUtility = (modulePath: string, args?: string[], options?: ForkOptions) => UtilityProcess;

const STDERR_KEEP = 4000;

export function utilityLauncher(forkUtility: ForkUtility): EngineLauncher {
  return (entry) => {
    const child = forkUtility(entry.file, [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'inherit', 'pipe'],
      serviceName: 'Finetune Studio training',
    });
    let exited = false;
    let stderr = '';
    child.on('exit', () => void (exited = true));
    child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-STDERR_KEEP)));
    return {
      get pid() {
        return child.pid;
      },
      get running() {
        return !exited;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => void child.on('message', listener),
      // A utility process reports only its exit code, never the signal that ended it.
      onExit: (listener) => void child.on('exit', (code) => listener(code, null)),
      kill: () => void child.kill(),
      stderrTail: () => stderr,
    };
  };
}
