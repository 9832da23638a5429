// The training loop for both phases. It trains whatever model it is given (the head on
// pooled features in phase 1; unfrozen blocks + head on split activations in phase 2)
// with softmax + categorical cross-entropy on logits: the metric follows from the
// single-label task and is never binary accuracy on one-hot labels (seed 001).
import * as tf from '@tensorflow/tfjs';
import type { FitConfig } from '../src-shared/engine-config';
import { lrAt } from '../src-shared/engine-schedule';
import { accuracy, confusionMatrix, macroF1, perClassMetrics } from '../src-shared/engine-metrics';
import type { EpochMetrics } from '../src-shared/engine-metrics';
import { balancedClassWeights, batchTensor, checkLabels, oneHot, range } from './data/batches';
import { yieldOrStop } from '../src-node-shared/yield';
import { assertBackendHealthy } from '../src-node-shared/backend';
import type { EvalSet, TrainSet } from './data/batches';
import type { Callback, FitContext, FitState, FitSummary, StopReason, WeightSnapshot } from './callbacks/types';
import { l2Penalty } from './head';
import type { Head } from './head';
import { buildOptimizer, disposeOptimizer, optimizerSnapshot, restoreOptimizer, setLearningRate } from './optimizer';
import { seededRandom, seedOf, shuffled } from '../src-shared/random';
import type { Shards } from './parallel/shards';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

export interface FitArgs {
  phase: 1 | 2;
  /** One example -> logits. Its trainable weights are exactly what trains. */
  model: tf.LayersModel;
  head: Head;
  classes: number;
  train: TrainSet;
  val: EvalSet | null;
  config: FitConfig;
  seed: number;
  callbacks?: Callback[];
  clock?: Clock;
  signal?: AbortSignal;
  /** Continue a killed run from the state its last epoch saved. */
  resume?: FitState;
  /** Step each batch data-parallel across these threads (parallel/shards.ts). */
  shards?: Shards | null;
}

interface Loop {
  args: FitArgs;
  opt: tf.Optimizer;
  vars: tf.Variable[];
  weights: number[];
  next: () => number;
  stepsPerEpoch: number;
  step: number;
  stopped: StopReason | null;
  epochs: EpochMetrics[];
  ctx: FitContext;
}

/**
 * Keyed by each weight's name as the model file stores it (`layer/kernel`), not by its
 * process-unique variable name (`layer/kernel_3`): a checkpoint must load into the same
 * model rebuilt in another process, or built again in this one.
 */
export async function snapshotOf(model: tf.LayersModel): Promise<WeightSnapshot> {
  const out: WeightSnapshot = new Map();
  for (const w of model.weights) {
    if (out.has(w.originalName))
      throw new Error(
        `two weights of ${model.name} are named ${w.originalName}; a checkpoint could not tell them apart`,
      );
    out.set(w.originalName, { shape: w.shape as number[], values: ((await w.read().data()) as Float32Array).slice() });
  }
  return out;
}

export function restoreInto(model: tf.LayersModel, snap: WeightSnapshot): void {
  for (const w of model.weights) {
    const s = snap.get(w.originalName);
    if (!s)
      throw new Error(`checkpoint has no values for weight ${w.originalName}; it was saved from a different model`);
    tf.tidy(() => {
      w.write(tf.tensor(s.values, s.shape));
    });
  }
}

function makeLoop(args: FitArgs): Loop {
  checkLabels(args.train.labels, args.classes, 'training labels');
  if (args.val) checkLabels(args.val.labels, args.classes, 'validation labels');
  const { config } = args;
  const loop: Loop = {
    args,
    opt: buildOptimizer(config.optimizer),
    vars: args.model.trainableWeights.map((w) => w.read() as tf.Variable),
    weights:
      config.classWeights === 'balanced'
        ? balancedClassWeights(args.train.labels, args.classes)
        : new Array<number>(args.classes).fill(1),
    next: seededRandom(seedOf('fit', args.seed, args.phase, 0)),
    stepsPerEpoch: Math.ceil(args.train.labels.length / config.batchSize),
    step: 0,
    stopped: null,
    epochs: [],
    ctx: undefined as unknown as FitContext,
  };
  const clock = args.clock ?? systemClock;
  loop.ctx = {
    phase: args.phase,
    epochs: config.epochs,
    stepsPerEpoch: loop.stepsPerEpoch,
    stop: (reason) => (loop.stopped ??= { kind: 'stopped', by: 'callback', reason }),
    snapshot: () => snapshotOf(args.model),
    restore: (s) => restoreInto(args.model, s),
    now: () => clock.now(),
    capture: () => captureFitState(loop),
  };
  return loop;
}

/** Everything a killed run needs to go on exactly: weights, optimizer slots, counters, callback state. */
async function captureFitState(loop: Loop): Promise<FitState> {
  const callbacks: FitState['callbacks'] = {};
  for (const cb of loop.args.callbacks ?? []) {
    if (cb.saveState) callbacks[cb.name] = { state: cb.saveState(), weights: cb.stateWeights?.() ?? null };
  }
  return {
    phase: loop.args.phase,
    nextEpoch: loop.epochs.length,
    step: loop.step,
    stopped: loop.stopped,
    epochs: [...loop.epochs],
    weights: await snapshotOf(loop.args.model),
    optimizer: await optimizerSnapshot(loop.opt),
    callbacks,
  };
}

async function applyFitState(loop: Loop, state: FitState): Promise<void> {
  if (state.phase !== loop.args.phase)
    throw new Error(`resume: the saved state is from phase ${state.phase}, not phase ${loop.args.phase}`);
  restoreInto(loop.args.model, state.weights);
  await restoreOptimizer(loop.opt, state.optimizer);
  for (const cb of loop.args.callbacks ?? []) {
    const saved = state.callbacks[cb.name];
    if (!saved) continue;
    cb.loadState?.(saved.state);
    if (saved.weights) cb.loadStateWeights?.(saved.weights);
  }
  loop.step = state.step;
  loop.stopped = state.stopped;
  loop.epochs = [...state.epochs];
}

export interface Stepper {
  model: tf.LayersModel;
  head: Head;
  classes: number;
  opt: tf.Optimizer;
  vars: tf.Variable[];
  /** Per-class loss weights. */
  weights: number[];
  /** When set, batches of 2 or more are stepped across its threads. */
  shards?: Shards | null;
}

/**
 * One optimizer step; returns the batch loss and the training-mode predictions. Readback is
 * async (WebGPU in Node has no synchronous one), and a backend fault since the last step
 * fails this one: its numbers are not trusted.
 */
export async function trainStep(
  loop: Stepper,
  x: tf.Tensor,
  labels: number[],
): Promise<{ loss: number; pred: Int32Array }> {
  if (loop.shards && labels.length > 1) return loop.shards.step(loop, x, labels);
  const { model, head, classes } = loop;
  let pred: tf.Tensor | null = null;
  const cost = tf.tidy(() => {
    const y = oneHot(labels, classes);
    const w = tf.tensor1d(labels.map((l) => loop.weights[l]!));
    return loop.opt.minimize(
      () => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        pred = tf.keep(tf.argMax(logits, -1));
        const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1));
        const loss = tf.mean(tf.mul(ce, w)) as tf.Scalar;
        const l2 = l2Penalty(head);
        return l2 ? tf.add(loss, l2) : loss;
      },
      true,
      loop.vars,
    )!;
  });
  const predicted = pred as unknown as tf.Tensor;
  try {
    const [c, p] = await Promise.all([cost.data(), predicted.data()]);
    assertBackendHealthy();
    return { loss: c[0]!, pred: p as Int32Array };
  } finally {
    cost.dispose();
    predicted.dispose();
  }
}

export interface Evaluation {
  loss: number;
  /** Per example, for the highest-loss gallery. */
  losses: Float32Array;
  predicted: Int32Array;
  /** Softmax probabilities, [n * classes] row-major. */
  probs: Float32Array;
}

/**
 * Inference mode, unweighted loss: what the model does on data it never trains on. It
 * yields between batches, so events (a cancel among them) get in over a large split, and
 * throws the signal's reason once `signal` is aborted.
 */
export async function evaluate(
  model: tf.LayersModel,
  set: EvalSet,
  classes: number,
  batchSize = 64,
  signal?: AbortSignal,
): Promise<Evaluation> {
  const n = set.labels.length;
  const predicted = new Int32Array(n);
  const probs = new Float32Array(n * classes);
  const losses = new Float32Array(n);
  for (let at = 0; at < n; at += batchSize) {
    await yieldOrStop(signal);
    const labels = set.labels.slice(at, at + batchSize);
    const [ce, p, pr] = tf.tidy(() => {
      const logits = model.predict(batchTensor(set.rows, range(at, Math.min(n, at + batchSize)))) as tf.Tensor;
      return [
        tf.neg(tf.sum(tf.mul(oneHot(labels, classes), tf.logSoftmax(logits)), -1)),
        tf.argMax(logits, -1),
        tf.softmax(logits),
      ];
    });
    const [ceV, pV, prV] = await Promise.all([ce.data(), p.data(), pr.data()]);
    tf.dispose([ce, p, pr]);
    assertBackendHealthy();
    losses.set(ceV as Float32Array, at);
    predicted.set(pV as Int32Array, at);
    probs.set(prV as Float32Array, at * classes);
  }
  // The mean over all examples; JS sums in float64, so the order of batches does not matter.
  const total = losses.reduce((a, b) => a + b, 0);
  return { loss: n === 0 ? 0 : total / n, losses, predicted, probs };
}

async function runEpoch(loop: Loop, epoch: number): Promise<{ loss: number; acc: number; lr: number }> {
  const { train, config, head, phase } = loop.args;
  // A generator per epoch: a resumed run draws the same shuffles and views without saving generator state.
  loop.next = seededRandom(seedOf('fit', loop.args.seed, phase, epoch));
  const order = shuffled(
    train.labels.map((_, i) => i),
    loop.next,
  );
  let lossSum = 0;
  let correct = 0;
  let lr = config.optimizer.lr;
  for (let b = 0; b < loop.stepsPerEpoch; b++) {
    if (loop.args.signal?.aborted) {
      loop.stopped = { kind: 'cancelled' };
      break;
    }
    const idx = order.slice(b * config.batchSize, (b + 1) * config.batchSize);
    // One cached view per example per epoch, drawn from the run's seed.
    const slots = idx.map(() => Math.floor(loop.next() * train.rows.views));
    for (const d of head.dropouts) d.seed = Math.floor(loop.next() * 2 ** 31);
    lr = lrAt(config.schedule, config.optimizer.lr, {
      step: loop.step,
      stepsPerEpoch: loop.stepsPerEpoch,
      epochs: config.epochs,
    });
    setLearningRate(loop.opt, lr);
    const labels = idx.map((i) => train.labels[i]!);
    const x = batchTensor(train.rows, idx, slots);
    let step: { loss: number; pred: Int32Array };
    try {
      step = await trainStep({ ...loop.args, ...loop }, x, labels);
    } finally {
      x.dispose();
    }
    const { loss, pred } = step;
    loop.step++;
    lossSum += loss * idx.length;
    pred.forEach((p, k) => (correct += p === labels[k] ? 1 : 0));
    for (const cb of loop.args.callbacks ?? [])
      await cb.onBatchEnd?.(loop.ctx, { phase, epoch, batch: b, batches: loop.stepsPerEpoch, loss, lr });
  }
  for (const d of head.dropouts) d.seed = undefined;
  return { loss: lossSum / train.labels.length, acc: correct / train.labels.length, lr };
}

async function epochMetrics(
  loop: Loop,
  epoch: number,
  tr: { loss: number; acc: number; lr: number },
  ms: number,
): Promise<EpochMetrics> {
  const { val, classes, model, config, phase } = loop.args;
  const ev =
    val && val.labels.length > 0
      ? await evaluate(model, val, classes, Math.max(config.batchSize, 64), loop.args.signal)
      : null;
  const confusion = ev
    ? confusionMatrix(val!.labels, ev.predicted, classes)
    : Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const perClass = perClassMetrics(confusion);
  return {
    phase,
    epoch,
    trainLoss: tr.loss,
    trainAcc: tr.acc,
    valLoss: ev ? ev.loss : null,
    valAcc: ev ? accuracy(confusion) : null,
    valMacroF1: ev ? macroF1(perClass) : null,
    perClass,
    confusion,
    lr: tr.lr,
    epochMs: ms,
  };
}

/** The epoch's metrics; null, with the fit cancelled, when a cancel comes while validating. */
async function validated(
  loop: Loop,
  epoch: number,
  tr: { loss: number; acc: number; lr: number },
  t0: number,
): Promise<EpochMetrics | null> {
  try {
    return await epochMetrics(loop, epoch, tr, loop.ctx.now() - t0);
  } catch (err) {
    if (!loop.args.signal?.aborted) throw err;
    loop.stopped = { kind: 'cancelled' };
    return null;
  }
}

// A function, so the compiler does not narrow `stopped` across the awaits that change it.
function cancelled(loop: Loop): boolean {
  return loop.stopped?.kind === 'cancelled';
}

/** Trains for config.epochs or until a callback stops it or the signal cancels it. */
export async function fit(args: FitArgs): Promise<FitSummary> {
  const loop = makeLoop(args);
  const cbs = args.callbacks ?? [];
  try {
    for (const cb of cbs) await cb.onFitBegin?.(loop.ctx);
    if (args.resume) await applyFitState(loop, args.resume);
    for (let epoch = loop.epochs.length; epoch < args.config.epochs && !loop.stopped; epoch++) {
      for (const cb of cbs) await cb.onEpochBegin?.(loop.ctx, epoch);
      const t0 = loop.ctx.now();
      const tr = await runEpoch(loop, epoch);
      if (cancelled(loop)) break;
      const m = await validated(loop, epoch, tr, t0);
      if (!m) break;
      loop.epochs.push(m);
      for (const cb of cbs) await cb.onEpochEnd?.(loop.ctx, m);
    }
    const summary: FitSummary = { epochs: loop.epochs, stopReason: loop.stopped ?? { kind: 'completed' } };
    for (const cb of cbs) await cb.onFitEnd?.(loop.ctx, summary);
    return summary;
  } finally {
    disposeOptimizer(loop.opt);
  }
}
