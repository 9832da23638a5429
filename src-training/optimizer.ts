import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../src-shared/engine-config';
import type { WeightSnapshot } from './callbacks/types';

export function buildOptimizer(spec: OptimizerSpec): tf.Optimizer {
  // Keras' Adam epsilon (1e-7), so learning rates carry over from Keras recipes.
  if (spec.kind === 'adam') return tf.train.adam(spec.lr, spec.beta1, spec.beta2, 1e-7);
  return tf.train.momentum(spec.lr, spec.momentum, spec.nesterov);
}

/** SGD and momentum cache -lr as a tensor (setLearningRate); Adam reads the field each step. */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as tf.Optimizer & { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.learningRate === lr) return;
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** MomentumOptimizer.dispose() skips SGD's cached -lr scalar; release it too. */
export function disposeOptimizer(opt: tf.Optimizer): void {
  const c = (opt as unknown as { c?: tf.Tensor }).c;
  opt.dispose();
  if (c && !c.isDisposed) c.dispose();
}

/** The optimizer's slots (Adam's moments, momentum) and iteration count, as plain arrays. */
export async function optimizerSnapshot(opt: tf.Optimizer): Promise<WeightSnapshot> {
  const out: WeightSnapshot = new Map();
  for (const { name, tensor } of await opt.getWeights()) {
    out.set(name, { shape: tensor.shape, values: Float32Array.from(await tensor.data()) });
    // `iter` is a fresh scalar on every call; the slots are the optimizer's own variables.
    if (name === 'iter') tensor.dispose();
  }
  return out;
}

/** Slots are matched by position, as tfjs saves them: the variable list must be the same. */
export async function restoreOptimizer(opt: tf.Optimizer, snap: WeightSnapshot): Promise<void> {
  const named = [...snap].map(([name, w]) => ({ name, tensor: tf.tensor(w.values, w.shape) }));
  await opt.setWeights(named);
  // setWeights made variables that hold their own reference to the data.
  tf.dispose(named.map((n) => n.tensor));
}
