import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../../src-shared/engine-config';

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
