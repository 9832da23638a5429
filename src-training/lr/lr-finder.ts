// The learning-rate range test (Smith 2015, as fastai runs it): the learning rate grows
// exponentially over a few batches while the smoothed loss is recorded; the suggestion
// is where the loss falls fastest. Weights are put back afterwards, so it costs nothing
// but time. Seed 002 guessed SGD 0.01 for mostly unfrozen layers.
import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../../src-shared/engine-config';
import { batchTensor } from '../data/batches';
import type { TrainSet } from '../data/batches';
import type { Head } from '../head';
import { buildOptimizer, disposeOptimizer, setLearningRate } from '../optimizer';
import { seededRandom, seedOf, shuffled } from '../../src-shared/random';
import { restoreInto, snapshotOf, trainStep } from '../trainer';
import { yieldOrStop } from '../../src-node-shared/yield';

export interface LrRangeArgs {
  model: tf.LayersModel;
  head: Head;
  classes: number;
  train: TrainSet;
  optimizer: OptimizerSpec;
  batchSize?: number;
  minLr?: number;
  maxLr?: number;
  steps?: number;
  seed: number;
  /** After each step: steps done and the most there will be (the test may stop early when the loss explodes). */
  onStep?: (done: number, total: number) => void;
  /** Stops the test between steps; the weights are put back all the same. */
  signal?: AbortSignal;
}

export interface LrRangeResult {
  curve: Array<{ lr: number; loss: number }>;
  /** Null when the loss never fell: the data or the model needs a look first. */
  suggestion: number | null;
}

export async function lrRangeTest(a: LrRangeArgs): Promise<LrRangeResult> {
  const { minLr = 1e-7, maxLr = 1, steps = 100, batchSize = 32 } = a;
  const saved = await snapshotOf(a.model);
  const opt = buildOptimizer(a.optimizer);
  const next = seededRandom(seedOf('lr-range', a.seed));
  const vars = a.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const stepper = {
    model: a.model,
    head: a.head,
    classes: a.classes,
    opt,
    vars,
    weights: new Array<number>(a.classes).fill(1),
  };
  const curve: LrRangeResult['curve'] = [];
  let order: number[] = [];
  let avg = 0;
  let best = Infinity;
  try {
    for (let i = 0; i < steps; i++) {
      // A cancel arrives as an IPC message: it is heard only if the loop lets events in.
      await yieldOrStop(a.signal);
      if (order.length < batchSize)
        order = order.concat(
          shuffled(
            a.train.labels.map((_, k) => k),
            next,
          ),
        );
      const idx = order.splice(0, batchSize);
      const lr = minLr * (maxLr / minLr) ** (i / Math.max(1, steps - 1));
      setLearningRate(opt, lr);
      for (const d of a.head.dropouts) d.seed = Math.floor(next() * 2 ** 31);
      const x = batchTensor(a.train.rows, idx);
      let loss: number;
      try {
        ({ loss } = await trainStep(
          stepper,
          x,
          idx.map((k) => a.train.labels[k]!),
        ));
      } finally {
        x.dispose();
      }
      avg = 0.98 * avg + 0.02 * loss;
      const smooth = avg / (1 - 0.98 ** (i + 1));
      if (!Number.isFinite(smooth) || smooth > 4 * best) break;
      best = Math.min(best, smooth);
      curve.push({ lr, loss: smooth });
      a.onStep?.(i + 1, steps);
    }
  } finally {
    for (const d of a.head.dropouts) d.seed = undefined;
    disposeOptimizer(opt);
    restoreInto(a.model, saved);
  }
  return { curve, suggestion: steepest(curve) };
}

/**
 * The learning rate where the smoothed loss drops fastest against log(lr). The first
 * tenth of the curve is skipped: the running average is still settling there.
 */
export function steepest(curve: LrRangeResult['curve']): number | null {
  let best: number | null = null;
  let bestSlope = 0;
  for (let i = Math.max(1, Math.floor(curve.length / 10)); i < curve.length; i++) {
    const slope = (curve[i]!.loss - curve[i - 1]!.loss) / Math.log(curve[i]!.lr / curve[i - 1]!.lr);
    if (slope < bestSlope) {
      bestSlope = slope;
      best = curve[i]!.lr;
    }
  }
  return best;
}
