// The training process. It receives one job (a run to train or resume, an export, a
// learning-rate range test), does it, reports, and exits: wasm memory grows and is never
// given back, so each job gets a fresh process. A `cancel` message stops a run at the
// next batch; the host kills it if it does not end in time.
import { FromEngine, ToEngine } from '../../src-shared/engine-protocol';
import type { BackendInfo } from '../../src-shared/engine-protocol';
import type { EpochMetrics } from '../../src-shared/engine-metrics';
import { selectBackend, type BackendName } from '../../src-node-shared/backend';
import { exportRun } from '../export/run-export';
import { lrRangeForRun } from '../lr/lr-range-run';
import { cacheFeatures } from '../data/cache-features';
import { hasRunState, readRunState, resumeDir } from '../resume-state';
import { runTraining } from '../run';
import { watchParent } from './parent-watch';

type Job = Exclude<ToEngine, { type: 'cancel' }>;

const ctrl = new AbortController();
let started = false;

function send(msg: FromEngine): Promise<void> {
  // Parsing our own output catches a drifting protocol here, not in the main process.
  const checked = FromEngine.parse(msg);
  return new Promise((resolve) => process.send!(checked, () => resolve()));
}

/**
 * The epochs the checkpoint holds. A training process killed with its parent can finish an
 * epoch (and checkpoint it) whose event nobody read; sent again after 'resumed' (an upsert
 * in the store), they close that gap in the run's record.
 */
async function checkpointedEpochs(msg: Extract<Job, { type: 'start' }>): Promise<EpochMetrics[]> {
  const dir = resumeDir(msg.dirs);
  if (!msg.resume || !hasRunState(dir)) return [];
  return (await readRunState(dir)).fit.epochs;
}

async function train(msg: Extract<Job, { type: 'start' }>, backend: BackendInfo): Promise<void> {
  await send({ type: 'ready', backend });
  const recorded = await checkpointedEpochs(msg);
  const result = await runTraining(msg.config, msg.data, {
    dirs: msg.dirs,
    backend,
    signal: ctrl.signal,
    resume: msg.resume,
    emit: (e) => {
      void send(e);
      if (e.type === 'resumed') for (const metrics of recorded) void send({ type: 'epoch', metrics });
    },
  });
  const cancelled = result.phases.some((p) => p.stop.kind === 'cancelled');
  await send(cancelled ? { type: 'cancelled' } : { type: 'done', result });
}

async function runJob(msg: Job): Promise<void> {
  // An export reads weights and runs one probe batch: light work that needs synchronous
  // readback in places, which WebGPU in Node lacks.
  const exclude: BackendName[] = msg.type === 'export' ? ['webgpu'] : [];
  const prefer = msg.backend === 'webgpu' && msg.type === 'export' ? undefined : msg.backend;
  const choice = await selectBackend({ prefer, exclude });
  const backend: BackendInfo = {
    name: choice.name,
    rejected: choice.rejected,
    versions: choice.versions,
    adapter: choice.adapter,
    parity: choice.parity,
  };
  if (msg.type === 'start') return train(msg, backend);
  if (msg.type === 'export') return send({ type: 'exported', dir: msg.outDir, manifest: await exportRun(msg) });
  if (msg.type === 'cacheFeatures') return send(await cacheFeatures(msg, (e) => void send(e), ctrl.signal));
  const r = await lrRangeForRun(msg, (e) => void send(e), ctrl.signal);
  await send({ type: 'lrRange', curve: r.curve, suggestion: r.suggestion });
}

async function onMessage(raw: unknown): Promise<void> {
  // The one check of a job on its way to the trainer: the host sends what it built unparsed.
  const parsed = ToEngine.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const message = `training process: bad message: field "${issue.path.join('.') || '(message)'}": ${issue.message}`;
    // A job under way goes on; without one there is nothing to do, so the host sees the reason and an exit.
    if (started) return void console.error(message);
    await send({ type: 'error', message });
    process.exit(1);
  }
  const msg = parsed.data;
  if (msg.type === 'cancel') return void ctrl.abort();
  if (started)
    return void (await send({
      type: 'error',
      message: 'training process: a job is already under way; start a new process per job',
    }));
  started = true;
  try {
    await runJob(msg);
    process.exit(0);
  } catch (err) {
    // A cancel during feature extraction surfaces as the signal's abort error.
    if (ctrl.signal.aborted) {
      await send({ type: 'cancelled' });
      process.exit(0);
    }
    await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
}

if (!process.send) {
  console.error('src-training/process/entry.ts runs as a child process: start it with startTraining() from host.ts');
  process.exit(2);
}
process.on('message', (raw) => void onMessage(raw));
// The studio that started us is gone (it crashed or was killed): nobody reads our results,
// and the run's last checkpoint (written by an atomic rename) is what a resume continues from.
process.on('disconnect', () => process.exit(3));
watchParent();
