// Training runs of one open project. A run is planned and frozen when it is started (its
// image list), queued, and trained one at a time in its own process (two cores do not
// train two models faster); every epoch lands in the store as it ends. Opening a project
// marks runs whose process is gone as interrupted, and `resume` continues them from
// their last checkpoint.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { RunConfig } from '../../../src-shared/engine-config';
import type { BackendName, FromEngine, RunResult } from '../../../src-shared/engine-protocol';
import type { ExportFormat, ExportManifest } from '../../../src-shared/engine-export';
import { StudioError } from '../../../src-shared/errors';
import type { GroupSummary, RunDetail, RunEpochs, RunPrediction, RunSummary } from '../../../src-shared/runs';
import { runEngineTask, startTraining } from '../../training-host/host';
import type { TrainingHandle } from '../../training-host/host';
import { listRunRows, markRunning, requeueRun, runningRunRows, setRunStatus } from '../../store/repos/runs';
import { findingCounts } from '../../store/repos/findings';
import { fileOf, isDiskFull, storeError, writeTx } from '../../store/db';
import { isProcessAlive } from '../project/project';
import type { Project } from '../project/project';
import { canonicalJson } from '../curation/split-snapshot';
import { nearClusters, PrintCache } from '../curation/duplicates';
import { modelExportFiles } from '../exported-files';
import { TrainingDoctor } from './training-doctor';
import type { ParsedInput, Slice } from '../../../src-shared/contract';
import type { AugmentPreviewInput, AugmentPreviewOutput } from '../../../src-shared/runs';
import type { SuspectsOutput } from '../../../src-shared/bakeoff';
import { augmentPreview } from './augment-preview';
import { labelSuspects, type SuspectsQuery } from './suspects';
import { planFromStore, runDataOf, runDirs } from './run-data';
import { checkedConfig, planStart, writeStart } from './run-start';
import { RunRecorder } from './run-recorder';
import { UnsavedEnds } from './unsaved-ends';
import type { RunEvents } from './run-recorder';
import {
  detailOf,
  epochsOf,
  groupSummaryOf,
  liveOf,
  imageListOf,
  needRun,
  predictionsOf,
  storedConfig,
  summaryOf,
} from './run-views';

export type { RunEvents } from './run-recorder';

export interface RunServiceOptions {
  clock?: () => number;
  /** Tests pin the engine's backend; the app lets the engine choose. */
  backend?: BackendName;
  /** The per-user model cache; by default from STUDIO_MODEL_CACHE or ~/.cache. */
  modelCacheDir?: string;
  /** Told the files each export wrote (the server offers them to a browser as downloads). */
  exported?: (files: string[]) => void;
}

/**
 * A run waiting to train. One started in this process carries the config the contract's
 * door parsed, so it is not read back from the row it was just written to; a resumed run
 * (perhaps stored by an older build) is read from its row (docs/config-walk.md).
 */
type Queued = { runId: number; resume: false; config: RunConfig } | { runId: number; resume: true };

/** The runs slice of the contract, but for bake-offs (`BakeoffService`); every method takes the contract's parsed input. */
export class RunService implements Omit<Slice<'runs'>, 'bakeoff' | 'bakeoffs' | 'bakeoffSummary'> {
  readonly #clock: () => number;
  #queue: Queued[] = [];
  #current: { runId: number; handle: TrainingHandle | null } | null = null;
  #pump: Promise<void> | null = null;
  #closed = false;
  #lrRange: AbortController | null = null;
  readonly #prints = new PrintCache();
  readonly #unsaved = new UnsavedEnds((runId, end) =>
    setRunStatus(this.project.db, runId, end.status, end.message, end.finishedAt),
  );

  constructor(
    readonly project: Project,
    readonly events: RunEvents,
    readonly options: RunServiceOptions = {},
  ) {
    this.#clock = options.clock ?? Date.now;
    this.#interruptOrphans();
  }

  /** Runs left running or queued by a process that is gone can only be resumed. */
  #interruptOrphans(): void {
    // A read-only project is only looked at; on a full disk, looking must still work.
    if (this.project.readOnly) return;
    try {
      this.#markOrphans();
    } catch (err) {
      if (!isDiskFull(err)) throw err;
    }
  }

  #markOrphans(): void {
    for (const r of runningRunRows(this.project.db)) {
      if (r.pid !== null && isProcessAlive(r.pid)) continue;
      const message =
        r.status === 'running'
          ? 'The process training this run ended before it finished. Resume goes on from its last finished epoch.'
          : 'The studio closed before this run started. Resume starts it.';
      setRunStatus(this.project.db, r.id, 'interrupted', message, this.#clock());
    }
  }

  start(input: ParsedInput<'runs', 'start'>): { runIds: number[]; groupId: number | null } {
    return this.startAll([input], ([ids]) => ids!).extra;
  }

  /**
   * Writes the runs of several starts and whatever `also` writes with them (a bake-off's own
   * row) in one transaction, then queues them: a failure anywhere leaves nothing behind.
   */
  startAll<T>(
    inputs: ParsedInput<'runs', 'start'>[],
    also: (ids: { runIds: number[]; groupId: number | null }[]) => T,
  ): { runIds: number[]; extra: T } {
    // Planned and hashed before the write lock is taken: the lock is held only for the inserts.
    const db = this.project.db;
    const planned = inputs.map((input) => planStart(db, input));
    const written = writeTx(db, () => {
      const ids = planned.map((p) => writeStart(db, p, this.#clock(), process.pid));
      return { ids, extra: also(ids) };
    });
    // Each queue entry carries the config the door parsed: the row just written is read back only on a resume.
    written.ids.forEach(({ runIds }, i) => {
      for (const runId of runIds) this.#enqueue({ runId, resume: false, config: planned[i]!.config });
    });
    return { runIds: written.ids.flatMap((i) => i.runIds), extra: written.extra };
  }

  resume({ runId }: { runId: number }): null {
    const row = needRun(this.project.db, runId);
    if (row.status !== 'interrupted') {
      throw new StudioError(
        'invalid-input',
        `Run ${runId} is ${row.status}; only an interrupted run can be resumed. Start a new run instead.`,
      );
    }
    requeueRun(this.project.db, runId, process.pid, 'Waiting to resume.');
    this.#enqueue({ runId, resume: true });
    return null;
  }

  cancel({ runId }: { runId: number }): null {
    if (this.#current?.runId === runId) return (this.#current.handle?.cancel(), null);
    const at = this.#queue.findIndex((q) => q.runId === runId);
    if (at >= 0) {
      this.#queue.splice(at, 1);
      return (this.#setStatus(runId, 'cancelled', 'Cancelled before it started.'), null);
    }
    const row = needRun(this.project.db, runId);
    if (row.status === 'running' || row.status === 'queued') {
      throw new StudioError(
        'busy',
        `Run ${runId} belongs to another process (pid ${row.pid}), e.g. \`studio train\`; cancel it there.`,
      );
    }
    return null;
  }

  #enqueue(q: Queued): void {
    this.#queue.push(q);
    this.events.status({ runId: q.runId, status: 'queued', message: null });
    this.#pump ??= this.#drain().finally(() => (this.#pump = null));
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next && !this.#closed; next = this.#queue.shift()) await this.#execute(next);
  }

  async #execute(q: Queued): Promise<void> {
    const { runId, resume } = q;
    const db = this.project.db;
    const doctor = new TrainingDoctor(db, { clock: this.#clock, clusters: () => nearClusters(db, this.#prints) });
    const recorder = new RunRecorder(db, runId, this.events, doctor);
    this.#current = { runId, handle: null };
    // A write that fails (a full disk) stops the run instead of escaping the engine's message handler.
    let storeFailure: unknown = null;
    const record = (e: Parameters<RunRecorder['onEvent']>[0]) => {
      if (this.#closed || storeFailure) return;
      try {
        recorder.onEvent(e);
      } catch (err) {
        storeFailure = storeError(err, fileOf(db));
        void this.#current?.handle?.cancel();
      }
    };
    try {
      const row = needRun(db, runId);
      const m = imageListOf(db, row);
      if (!m) throw new Error(`run ${runId} has no stored image list`);
      const config = q.resume ? storedConfig(db, row) : q.config;
      const dirs = runDirs(this.project, runId, this.options.modelCacheDir);
      const data = runDataOf(db, m.images);
      const handle = startTraining(
        { runId: String(runId), config, data, dirs, backend: this.options.backend, resume },
        { onEvent: record },
      );
      this.#current.handle = handle;
      markRunning(db, runId, handle.pid ?? process.pid, this.#clock());
      this.events.status({ runId, status: 'running', message: resume ? 'Resumed.' : null });
      const outcome = await handle.outcome;
      if (this.#closed) return;
      if (storeFailure) throw storeFailure;
      const end = recorder.outcome(outcome, config, m.images.classes, m.images);
      // The final findings are stored before the status goes out, so whoever reloads on it sees them.
      await doctor.final(runId).catch((err: unknown) => {
        if (isDiskFull(storeError(err, fileOf(db)))) throw err;
        console.error(`run ${runId}: the training doctor failed: ${err instanceof Error ? err.message : String(err)}`);
      });
      this.#setStatus(runId, end.status, end.message);
    } catch (err) {
      if (!this.#closed) this.#setStatus(runId, 'failed', `Failed: ${(storeError(err, fileOf(db)) as Error).message}`);
    } finally {
      this.#current = null;
    }
  }

  #setStatus(runId: number, status: RunDetail['status'], message: string): void {
    const ended = status === 'queued' || status === 'running' ? null : this.#clock();
    try {
      setRunStatus(this.project.db, runId, status, message, ended);
    } catch (err) {
      if (!isDiskFull(err) || ended === null) throw err;
      // Its process is gone: the run failed for want of space, whatever it ended as, and says so until the store can.
      const full = (storeError(err, fileOf(this.project.db)) as Error).message;
      const end = {
        status: 'failed' as const,
        message: `Failed: ${full} Resume the run once there is space.`,
        finishedAt: ended,
      };
      this.#unsaved.keep(runId, end);
      this.events.status({ runId, status: end.status, message: end.message });
      return;
    }
    this.events.status({ runId, status, message });
  }

  /** Resolves once the queue is empty and nothing trains. */
  async idle(): Promise<void> {
    while (this.#pump) await this.#pump;
  }

  /**
   * The project is closing: what trains or waits becomes interrupted (its checkpoint is
   * whole, so it can be resumed later) and the training process is ended.
   */
  stop(): Promise<void> {
    const pending = [...(this.#current ? [this.#current.runId] : []), ...this.#queue.map((q) => q.runId)];
    for (const runId of pending)
      this.#setStatus(
        runId,
        'interrupted',
        'The project was closed while this run trained or waited. Resume goes on from its last finished epoch.',
      );
    this.#closed = true;
    this.#lrRange?.abort();
    this.#queue = [];
    this.#unsaved.flush();
    this.#unsaved.stop();
    return this.#current?.handle?.cancel(2000).then(() => undefined) ?? Promise.resolve();
  }

  list(): RunSummary[] {
    const counts = findingCounts(this.project.db);
    this.#unsaved.flush();
    return listRunRows(this.project.db).map((r) =>
      this.#unsaved.over({ ...summaryOf(r), findings: counts.get(r.id), live: liveOf(this.project.db, r) }),
    );
  }

  get({ runId }: { runId: number }): RunDetail {
    this.#unsaved.flush();
    return this.#unsaved.over(detailOf(this.project.db, needRun(this.project.db, runId)));
  }

  epochs({ runId }: { runId: number }): RunEpochs {
    needRun(this.project.db, runId);
    return epochsOf(this.project.db, runId);
  }

  predictions({ runId, trueClass, predicted, offset, limit }: ParsedInput<'runs', 'predictions'>): {
    total: number;
    items: RunPrediction[];
  } {
    return predictionsOf(this.project.db, runId, { trueClass, predicted }, offset, limit);
  }

  groupSummary({ groupId }: { groupId: number }): GroupSummary {
    return groupSummaryOf(this.project.db, groupId);
  }

  /**
   * The range test on this project's training images, in its own process, one at a time.
   * Cancelling ends that process; the test then fails with code 'cancelled'.
   */
  async lrRangeTest(input: {
    config: RunConfig;
  }): Promise<{ curve: Array<{ lr: number; loss: number }>; suggestion: number | null }> {
    if (this.#lrRange)
      throw new StudioError('busy', 'A learning-rate range test is already running. Wait for it, or cancel it.');
    const config = checkedConfig(input.config);
    const m = planFromStore(this.project.db, config.seed).imageLists[0]!;
    const data = runDataOf(this.project.db, { ...m, val: [], test: [] });
    const dirs = {
      ...runDirs(this.project, 0, this.options.modelCacheDir),
      run: join(this.project.dir, 'runs', 'lr-range'),
    };
    const ctrl = new AbortController();
    this.#lrRange = ctrl;
    const onEvent = (e: FromEngine): void => {
      if (e.type === 'features') this.events.lrRange?.({ stage: 'features', done: e.done, total: e.total });
      if (e.type === 'lrStep') this.events.lrRange?.({ stage: 'steps', done: e.done, total: e.total });
    };
    try {
      const task = { type: 'lrRange', config, data, dirs, backend: this.options.backend } as const;
      const out = await runEngineTask(task, { signal: ctrl.signal, onEvent });
      if (out.type !== 'lrRange') throw new Error(`the training process answered a range test with "${out.type}"`);
      return { curve: out.curve, suggestion: out.suggestion };
    } catch (err) {
      if (ctrl.signal.aborted)
        throw new StudioError(
          'cancelled',
          'The learning-rate range test was cancelled; the learning rate is unchanged.',
        );
      throw err;
    } finally {
      this.#lrRange = null;
    }
  }

  /** Stops the range test under way, if any; its process is ended within a few seconds. */
  lrRangeCancel(): null {
    this.#lrRange?.abort();
    return null;
  }

  /** A few training images through the engine's own augmentation, for the launcher's preview. */
  augmentPreview(input: AugmentPreviewInput): Promise<AugmentPreviewOutput> {
    return augmentPreview(this.project, input);
  }

  /** Label-error candidates of a k-fold group (or one run) from its out-of-fold predictions. */
  suspects(input: SuspectsQuery): SuspectsOutput {
    return labelSuspects(this.project.db, input);
  }

  /** A tfjs layers model or ONNX with its manifest, by default into <project>/runs/<id>/export (export-onnx). */
  async export({
    runId,
    outDir,
    format = 'tfjs',
  }: {
    runId: number;
    outDir?: string;
    format?: ExportFormat;
  }): Promise<{ dir: string; manifest: ExportManifest; files: string[] }> {
    const row = needRun(this.project.db, runId);
    if (row.status !== 'done' || !row.result) {
      throw new StudioError(
        'invalid-input',
        `Run ${runId} is ${row.status}; only a finished run can be exported. Wait for it to finish, or resume it.`,
      );
    }
    const result = JSON.parse(row.result) as RunResult;
    const config = storedConfig(this.project.db, row);
    const dir =
      outDir ??
      join(runDirs(this.project, runId, this.options.modelCacheDir).run, format === 'onnx' ? 'export-onnx' : 'export');
    const out = await runEngineTask({
      type: 'export',
      config,
      classes: JSON.parse(row.classes) as string[],
      checkpoint: result.checkpoint,
      outDir: dir,
      format,
      runId: String(runId),
      configDigest: createHash('sha256').update(canonicalJson(config)).digest('hex'),
      modelCache: runDirs(this.project, runId, this.options.modelCacheDir).modelCache,
      backend: this.options.backend,
    });
    if (out.type !== 'exported') throw new Error(`the training process answered an export with "${out.type}"`);
    const files = modelExportFiles(out.dir, out.manifest);
    this.options.exported?.(files);
    return { dir: out.dir, manifest: out.manifest, files };
  }
}
