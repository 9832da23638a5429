// The labeling assistant of one open project. A label change schedules a training after a
// short pause (a burst of keystrokes trains once); a newer change cancels the training
// under way. Training reads the default backbone's pooled features (building what the
// cache lacks in a training process), cross-validates the L2 strength, fits, and predicts
// every image. The features' reduction, cross-validation, fit and prediction run in a worker
// thread (fit-thread.ts), so the main process's event loop never waits on them; the features
// stay in that thread between trainings.
import { formatPercent } from '../../../src-shared/format';
import { waitingAssistState, type AcceptOutput, type AssistState } from '../../../src-shared/assist';
import type { Output, ParsedInput, Slice } from '../../../src-shared/contract';
import type { BackendName } from '../../../src-shared/engine-protocol';
import { wilsonInterval } from '../../../src-shared/engine-metrics';
import { plural } from '../../../src-shared/plural';
import { StudioError } from '../../../src-shared/errors';
import { assistRows, type AssistRow } from '../../store/repos/assist';
import { classNames } from '../../store/repos/classes';
import { assignLabels, type Edit } from '../labels/labels';
import type { Project } from '../project/project';
import { join } from 'node:path';
import { FeatureStore, type BuildEvent } from './feature-store';
import { FitThread } from './fit-thread';
import { keptStrength, type Strength } from './model/assistant';
import { planAccept } from './model/accept-plan';
import {
  assistantSuspects,
  mergeSuspects,
  queueOf,
  similarOf,
  suggestionsOf,
  type CurrentLabels,
  type Trained,
} from './views';
import { runSuspects } from './run-suspects';

export interface AssistOptions {
  /** The backbone and size whose features it reads; by default the studio's default backbone at its own size. */
  backboneId?: string;
  inputSize?: number;
  /** Labeled images each class needs first (5). */
  minPerClass?: number;
  /** The pause after a label change before training (ms). */
  debounceMs?: number;
  /** False: train only when asked (`refresh`), as a command does. */
  auto?: boolean;
  backend?: BackendName;
}

export interface AssistDeps {
  edit: Edit;
  emit: (s: AssistState) => void;
  defaultBackbone: () => Promise<{ id: string; inputSize: number }>;
  modelCacheDir: string;
  clock: () => number;
}

/** The assist slice of the contract: the labeling assistant of the open project. */
export class AssistService implements Slice<'assist'> {
  readonly #min: number;
  #state: AssistState;
  #trained: Trained | null = null;
  #job: { ctrl: AbortController; done: Promise<void> } | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #store: FeatureStore | null = null;
  /** The last fit's parameters: a refit after a label change starts from them. */
  #warm: Float64Array | undefined;
  /** The L2 strength last chosen by cross-validation, kept while the labeled set changes little. */
  #strength: Strength | null = null;
  readonly #fitter = new FitThread();

  constructor(
    private readonly project: Project,
    private readonly deps: AssistDeps,
    private readonly opts: AssistOptions = {},
  ) {
    this.#min = opts.minPerClass ?? 5;
    this.#state = waitingAssistState(this.#min);
  }

  state(): AssistState {
    return this.#state;
  }

  /**
   * Labels changed: train again after the pause, cancelling a training under way. Only once
   * the user started the assistant: it builds a feature cache in a training process, which
   * no one should find running on a project they only opened.
   */
  labelsChanged(): void {
    if (this.opts.auto === false || !this.#state.started) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => ((this.#timer = null), this.#start()), this.opts.debounceMs ?? 400);
  }

  async refresh(): Promise<AssistState> {
    this.#clearTimer();
    if (!this.#state.started) this.#set({ started: true });
    this.#start();
    return this.settled();
  }

  /** Resolves once nothing is scheduled or under way. */
  async settled(): Promise<AssistState> {
    while (this.#job || this.#timer) {
      if (this.#job) await this.#job.done;
      else await new Promise((r) => setTimeout(r, this.opts.debounceMs ?? 400));
    }
    return this.#state;
  }

  cancel(): AssistState {
    this.#clearTimer();
    this.#job?.ctrl.abort(new Error('cancelled'));
    return this.#state;
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  close(): void {
    this.cancel();
    this.#fitter.close();
  }

  #set(change: Partial<AssistState>): void {
    this.#state = { ...this.#state, ...change };
    this.deps.emit(this.#state);
  }

  #start(): void {
    this.#job?.ctrl.abort(new Error('superseded by a newer training'));
    const ctrl = new AbortController();
    const before = this.#job?.done ?? Promise.resolve();
    const done = before
      .then(() => this.#train(ctrl.signal))
      .catch((err: unknown) => this.#failed(err, ctrl.signal))
      .finally(() => this.#job?.ctrl === ctrl && (this.#job = null));
    this.#job = { ctrl, done };
  }

  #failed(err: unknown, signal: AbortSignal): void {
    if (signal.aborted) {
      const back = this.#trained
        ? { status: 'ready' as const, message: 'Training stopped; the suggestions shown are from the last training.' }
        : { status: 'waiting' as const, message: 'Stopped. The assistant trains again at the next label change.' };
      return this.#set({ ...back, progress: null });
    }
    this.#set({
      status: 'failed',
      progress: null,
      message: `The assistant could not train: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  async #featureStore(): Promise<FeatureStore> {
    const fallback = this.opts.backboneId ? null : await this.deps.defaultBackbone();
    const backboneId = this.opts.backboneId ?? fallback!.id;
    const inputSize = this.opts.inputSize ?? fallback?.inputSize ?? 224;
    if (this.#store?.backboneId !== backboneId || this.#store.inputSize !== inputSize) {
      const featureCache = join(this.project.dir, 'cache', 'features');
      this.#store = new FeatureStore({
        backboneId,
        inputSize,
        featureCache,
        modelCache: this.deps.modelCacheDir,
        backend: this.opts.backend,
        reduce: (raw, blocks, r, signal) => this.#fitter.reduce(raw, blocks, r, signal),
      });
    }
    return this.#store;
  }

  /** Classes below the minimum; null when training may start. */
  #short(rows: AssistRow[]): AssistState['short'] | null {
    const classes = classNames(this.project.db);
    const counts = new Map<number, number>();
    for (const r of rows) if (r.classId !== null) counts.set(r.classId, (counts.get(r.classId) ?? 0) + 1);
    const short = classes
      .filter((c) => (counts.get(c.id) ?? 0) < this.#min)
      .map((c) => ({ classId: c.id, name: c.name, labeled: counts.get(c.id) ?? 0 }));
    if (classes.length >= 2 && short.length === 0) return null;
    const message =
      classes.length < 2
        ? 'The assistant needs at least two classes.'
        : `The assistant trains once every class has ${this.#min} labeled images: ${short
            .slice(0, 3)
            .map((c) => `"${c.name}" has ${c.labeled}`)
            .join(', ')}${short.length > 3 ? ', ...' : ''}.`;
    this.#set({ status: 'waiting', message, short, progress: null });
    return short;
  }

  async #train(signal: AbortSignal): Promise<void> {
    const rows = assistRows(this.project.db);
    if (this.#short(rows)) return;
    const store = await this.#featureStore();
    this.#set({
      status: 'training',
      message: 'Reading the features.',
      short: [],
      backboneId: store.backboneId,
      inputSize: store.inputSize,
    });
    const features = await store.load(rows, (e) => this.#building(e), signal);
    const classIds = classNames(this.project.db)
      .map((c) => c.id)
      .sort((a, b) => a - b);
    const index = new Map(classIds.map((id, i) => [id, i]));
    const labels = new Int32Array(features.imageIds.length).fill(-1);
    for (const r of rows)
      if (r.classId !== null && features.rowOf.has(r.id))
        labels[features.rowOf.get(r.id)!] = index.get(r.classId) ?? -1;
    const labeled = labels.reduce((n, y) => n + (y >= 0 ? 1 : 0), 0);
    this.#set({ status: 'training', message: `Training on ${plural(labeled, 'labeled image')}.`, progress: null });
    const t0 = this.deps.clock();
    const prev =
      this.#trained?.classIds.join() === classIds.join() && this.#trained.features === features
        ? this.#warm
        : undefined;
    const classKey = classIds.join();
    const lambda = keptStrength(this.#strength, labeled, classKey);
    const out = await this.#fitter.train(
      features,
      { labels, k: classIds.length, seed: 1, warm: prev, lambda },
      { signal, onFit: (done, total) => this.#set({ progress: { done, total, fromCache: 0 } }) },
    );
    this.#warm = out.model.theta;
    if (lambda === undefined) this.#strength = { lambda: out.cv.lambda, labeled, classes: classKey };
    const version = this.#state.version + 1;
    this.#trained = {
      version,
      features,
      classIds,
      labelsAtFit: labels,
      probs: out.probs,
      cvRows: out.cvRows,
      oof: out.cv.oof,
    };
    const { low, high } = wilsonInterval(out.cv.correct, out.cv.n);
    const accuracy = {
      correct: out.cv.correct,
      n: out.cv.n,
      value: out.cv.correct / out.cv.n,
      low,
      high,
      folds: out.folds,
      lambda: out.cv.lambda,
    };
    const message = `Cross-validated accuracy ${formatPercent(accuracy.value, 0)} (95 % interval ${formatPercent(low, 0)}-${formatPercent(high, 0)}) on ${plural(out.cv.n, 'labeled image')}.`;
    this.#set({
      status: 'ready',
      message,
      progress: null,
      accuracy,
      version,
      predicted: features.imageIds.length,
      labeled,
      fitMs: this.deps.clock() - t0,
    });
  }

  #building(e: BuildEvent): void {
    const eta = e.etaS === undefined ? '' : `, about ${Math.ceil(e.etaS)} s left`;
    this.#set({
      status: 'building',
      message: `Computing features: ${e.done} of ${e.total} images${eta}.`,
      progress: { done: e.done, total: e.total, fromCache: e.fromCache, etaS: e.etaS },
    });
  }

  #current(): CurrentLabels {
    return new Map(assistRows(this.project.db).map((r) => [r.id, r.classId]));
  }

  accept(input: ParsedInput<'assist', 'accept'>): AcceptOutput {
    const t = this.#trained;
    const names = new Map(classNames(this.project.db).map((c) => [c.id, c.name]));
    const none = {
      version: t?.version ?? 0,
      total: 0,
      perClass: [],
      sample: [],
      editId: null,
      canUndo: false,
      canRedo: false,
    };
    if (!t) return none;
    const picked = input.imageIds ? new Set(input.imageIds) : null;
    const unlabeled = suggestionsOf(t, this.#current(), {
      which: 'unlabeled',
      sort: 'confidence',
      offset: 0,
      limit: 200_000,
    }).items.filter((s) => !picked || picked.has(s.imageId));
    const plan = planAccept(unlabeled, input.threshold, input.classId ?? null);
    const perClass = [...plan.perClass].map(([classId, count]) => ({
      classId,
      name: names.get(classId) ?? `class ${classId}`,
      count,
    }));
    const byId = new Map(unlabeled.map((s) => [s.imageId, s]));
    const sample = plan.items.slice(0, 24).map((s) => byId.get(s.imageId)!);
    const out = { ...none, total: plan.items.length, perClass, sample };
    if (input.preview || plan.items.length === 0) return out;
    const label = perClass.length === 1 ? `"${perClass[0]!.name}"` : `as suggested (${perClass.length} classes)`;
    const which = picked
      ? `of ${plural(picked.size, 'selected image')}`
      : `at ${Math.round(input.threshold * 100)} % or above`;
    const description = `Accepted ${plural(plan.items.length, 'suggestion')} ${which}: ${label}`;
    const result = this.deps.edit((db, now) =>
      assignLabels(db, new Map(plan.items.map((s) => [s.imageId, s.classId])), now, description),
    );
    return { ...out, ...result };
  }

  /** Per image: the suggested class, its probability and the margin to the runner-up. */
  suggestions(q: ParsedInput<'assist', 'suggestions'>): Output<'assist', 'suggestions'> {
    if (this.#trained) return suggestionsOf(this.#trained, this.#current(), q);
    return { version: 0, total: 0, items: [] };
  }

  /** "Label next": unlabeled images by uncertainty, spread out over the features. */
  queue({ count }: { count: number }): Output<'assist', 'queue'> {
    return {
      version: this.#trained?.version ?? 0,
      items: this.#trained ? queueOf(this.#trained, this.#current(), count) : [],
    };
  }

  /** Labeled images the assistant (out of fold) or a k-fold run doubts, most doubted first. */
  disagreements({ limit }: { limit: number }): Output<'assist', 'disagreements'> {
    const now = this.#current();
    const all = mergeSuspects(
      this.#trained ? assistantSuspects(this.#trained, now) : [],
      runSuspects(this.project.db, now),
    );
    return { version: this.#trained?.version ?? 0, total: all.length, items: all.slice(0, limit) };
  }

  /** "More like this": the images nearest to one by the assistant's features, labeled or not. */
  similar({ imageId, count }: ParsedInput<'assist', 'similar'>): Output<'assist', 'similar'> {
    if (!this.#trained)
      throw new StudioError(
        'invalid-input',
        "Similar images come from the assistant's features: start the assistant and let it train first.",
      );
    return similarOf(this.#trained, imageId, count, this.#current());
  }
}
