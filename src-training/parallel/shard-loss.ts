// The part of a batch's loss one shard computes when a step is split across threads
// (shards.ts): its examples' weighted cross-entropy summed and divided by the WHOLE batch's
// size, so that the shards' losses, and their gradients, add up to the one-thread step's.
import * as tf from '@tensorflow/tfjs';
import { oneHot } from '../data/batches';

export interface ShardLoss {
  loss: tf.Scalar;
  /** Training-mode class per example, kept out of the caller's tidy. */
  pred: tf.Tensor;
}

/** Call inside a gradient function: `model.apply` in training mode on this shard's rows. */
export function shardLoss(
  model: tf.LayersModel,
  x: tf.Tensor,
  labels: number[],
  classWeights: number[],
  classes: number,
  batchSize: number,
): ShardLoss {
  const y = oneHot(labels, classes);
  const w = tf.tensor1d(labels.map((l) => classWeights[l]!));
  const logits = model.apply(x, { training: true }) as tf.Tensor;
  const pred = tf.keep(tf.argMax(logits, -1));
  const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1));
  return { loss: tf.div(tf.sum(tf.mul(ce, w)), batchSize) as tf.Scalar, pred };
}
