// The main-process side of the training process: forks it, sends it one job, and hands
// its events to the caller. Cancelling sends a message first, so the run ends at a batch
// boundary with its checkpoint whole, then kills after a grace period. What goes out is
// sent as built: the training process parses it at its door (entry.ts), the one check of
// the message, so the host does not parse what it has just written (docs/config-walk.md).
import { FromEngine } from '../../src-shared/engine-protocol';
import type { RunResult, ToEngineInput } from '../../src-shared/engine-protocol';
import { engineEntry, launchEngine } from './launch';
import type { EngineProcess } from './launch';

export type StartRun = Omit<Extract<ToEngineInput, { type: 'start' }>, 'type'>;
export type EngineTask = Extract<ToEngineInput, { type: 'export' | 'lrRange' | 'cacheFeatures' }>;
export type TaskResult = Extract<FromEngine, { type: 'exported' | 'lrRange' | 'featuresCached' }>;

export type RunOutcome =
  | { kind: 'done'; result: RunResult }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string }
  /** Ended by a signal nobody here sent (the OOM killer, a user's kill): resumable. */
  | { kind: 'killed'; signal: string };

export interface TrainingHandle {
  readonly pid: number | undefined;
  /** Settles once the process has exited. */
  readonly outcome: Promise<RunOutcome>;
  cancel(graceMs?: number): Promise<RunOutcome>;
}

export interface HostOptions {
  /** The entry script; by default the built one, or entry.ts through tsx from sources (launch.ts). */
  entry?: string;
  execArgv?: string[];
  onEvent?: (e: FromEngine) => void;
}

interface Forked {
  child: EngineProcess;
  stderr: () => string;
}

function forkEngine(
  message: ToEngineInput,
  opts: HostOptions,
  onMessage: (e: FromEngine | { bad: string }) => void,
): Forked {
  const found = opts.entry ? { file: opts.entry, execArgv: ['--import', 'tsx'] } : engineEntry();
  const child = launchEngine({ file: found.file, execArgv: opts.execArgv ?? found.execArgv });
  child.onMessage((raw) => {
    const parsed = FromEngine.safeParse(raw);
    onMessage(parsed.success ? parsed.data : { bad: `training process sent a bad message: ${parsed.error.message}` });
  });
  child.send(message);
  return { child, stderr: () => child.stderrTail() };
}

export function startTraining(run: StartRun, opts: HostOptions = {}): TrainingHandle {
  let last: RunOutcome | null = null;
  const { child, stderr } = forkEngine({ type: 'start', ...run }, opts, (e) => {
    if ('bad' in e) return void (last = { kind: 'failed', message: e.bad });
    if (e.type === 'done') last = { kind: 'done', result: e.result };
    if (e.type === 'cancelled') last = { kind: 'cancelled' };
    if (e.type === 'error') last = { kind: 'failed', message: e.message };
    opts.onEvent?.(e);
  });
  let cancelling = false;
  const outcome = new Promise<RunOutcome>((resolve) => {
    child.onExit((code, signal) => {
      if (last) return resolve(last);
      if (cancelling) return resolve({ kind: 'cancelled' });
      if (signal) return resolve({ kind: 'killed', signal });
      resolve({
        kind: 'failed',
        message: `training process exited (code ${code}) without a result: ${lastLines(stderr())}`,
      });
    });
  });
  return {
    pid: child.pid,
    outcome,
    cancel: (graceMs = 5000) => cancel(child, outcome, graceMs, () => (cancelling = true)),
  };
}

/** Runs an export, a learning-rate range test or an assistant's cache build in its own process; rejects with the engine's reason. */
export function runEngineTask(
  task: EngineTask,
  opts: HostOptions & { signal?: AbortSignal } = {},
): Promise<TaskResult> {
  return new Promise((resolve, reject) => {
    let last: TaskResult | Error | null = null;
    const { child, stderr } = forkEngine(task, opts, (e) => {
      if ('bad' in e) return void (last = new Error(e.bad));
      if (e.type === 'exported' || e.type === 'lrRange' || e.type === 'featuresCached') last = e;
      if (e.type === 'error') last = new Error(e.message);
      if (e.type === 'cancelled') last = new Error('cancelled');
      opts.onEvent?.(e);
    });
    const exited = new Promise((r) => child.onExit(r));
    const onAbort = () => void cancel(child, exited, 5000, () => {});
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.onExit((code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (last instanceof Error) return reject(last);
      if (last) return resolve(last);
      reject(
        new Error(`training process exited (${signal ?? `code ${code}`}) without a result: ${lastLines(stderr())}`),
      );
    });
  });
}

async function cancel<T>(child: EngineProcess, outcome: Promise<T>, graceMs: number, mark: () => void): Promise<T> {
  mark();
  if (child.running) child.send({ type: 'cancel' });
  const timer = setTimeout(() => child.kill(), graceMs);
  try {
    return await outcome;
  } finally {
    clearTimeout(timer);
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500) || 'no output';
}
