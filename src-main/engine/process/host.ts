// The main-process side of a training run: forks the training process, sends it the
// run, and hands its events to the caller. Cancelling sends a message first, so the run
// ends at a batch boundary with its checkpoint whole, then kills after a grace period.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FromEngine, ToEngine } from '../../../src-shared/engine-protocol';
import type { RunResult, ToEngineInput } from '../../../src-shared/engine-protocol';

export type StartRun = Omit<Extract<ToEngineInput, { type: 'start' }>, 'type'>;

export type RunOutcome =
  | { kind: 'done'; result: RunResult }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

export interface TrainingHandle {
  readonly pid: number | undefined;
  /** Settles once the process has exited. */
  readonly outcome: Promise<RunOutcome>;
  cancel(graceMs?: number): Promise<RunOutcome>;
}

export interface HostOptions {
  /** The entry script; defaults to entry.ts beside this file, run through tsx. */
  entry?: string;
  execArgv?: string[];
  onEvent?: (e: FromEngine) => void;
}

export function startTraining(run: StartRun, opts: HostOptions = {}): TrainingHandle {
  const start = ToEngine.parse({ type: 'start', ...run });
  const entry = opts.entry ?? fileURLToPath(new URL('./entry.ts', import.meta.url));
  const child = fork(entry, [], { execArgv: opts.execArgv ?? ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  let last: RunOutcome | null = null;
  child.on('message', (raw) => {
    const parsed = FromEngine.safeParse(raw);
    if (!parsed.success) return void (last = { kind: 'failed', message: `training process sent a bad message: ${parsed.error.message}` });
    const e = parsed.data;
    if (e.type === 'done') last = { kind: 'done', result: e.result };
    if (e.type === 'cancelled') last = { kind: 'cancelled' };
    if (e.type === 'error') last = { kind: 'failed', message: e.message };
    opts.onEvent?.(e);
  });
  let cancelling = false;
  const outcome = new Promise<RunOutcome>((resolve) => {
    child.on('exit', (code, signal) => {
      if (last) return resolve(last);
      if (cancelling) return resolve({ kind: 'cancelled' });
      resolve({ kind: 'failed', message: `training process exited (${signal ?? `code ${code}`}) without a result: ${lastLines(stderr)}` });
    });
  });
  child.send(start);
  return { pid: child.pid, outcome, cancel: (graceMs = 5000) => cancel(child, outcome, graceMs, () => (cancelling = true)) };
}

async function cancel(child: ChildProcess, outcome: Promise<RunOutcome>, graceMs: number, mark: () => void): Promise<RunOutcome> {
  mark();
  if (child.exitCode === null && child.connected) child.send({ type: 'cancel' });
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await outcome;
  } finally {
    clearTimeout(timer);
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500) || 'no output';
}
