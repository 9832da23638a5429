// Phase 2: the unfrozen blocks and the head train together on activations cached at the
// split point. BatchNorm layers in the unfrozen blocks follow an explicit policy.
import * as tf from '@tensorflow/tfjs';
import type { BatchNormPolicy } from '../src-shared/engine-config';
import type { SplitBackbone } from './backbones/split';
import { isBatchNorm, reestimateBatchNorm } from './batchnorm';
import { batchTensor, range } from './data/batches';
import type { TrainSet } from './data/batches';
import { poolingLayer } from './head';
import type { Head } from './head';

/** Split activations -> logits; its trainable weights are the unfrozen blocks and the head. */
export function buildPhase2Model(split: SplitBackbone, head: Head, policy: BatchNormPolicy): tf.LayersModel {
  for (const layer of split.prefix.layers) layer.trainable = false;
  for (const layer of split.suffix.layers) {
    // 'frozen' and 'reestimate' keep BN in inference mode: batchnorm.ts forces that for non-trainable BN.
    layer.trainable = isBatchNorm(layer) ? policy === 'train' : true;
  }
  const features = split.suffix.outputs[0]!;
  const logits = head.top.apply(poolingLayer(head.spec.pooling).apply(features)) as tf.SymbolicTensor;
  return tf.model({ inputs: split.suffix.inputs, outputs: logits, name: 'phase2' });
}

/** Runs once before phase 2 when the policy is 'reestimate'; view 0 of each training example. */
export function reestimateSuffixBatchNorm(
  split: SplitBackbone,
  train: TrainSet,
  signal?: AbortSignal,
  batchSize = 32,
): Promise<number> {
  const n = train.rows.size;
  function* batches(): Generator<tf.Tensor> {
    for (let at = 0; at < n; at += batchSize) {
      const x = batchTensor(train.rows, range(at, Math.min(n, at + batchSize)));
      try {
        yield x;
      } finally {
        x.dispose();
      }
    }
  }
  return reestimateBatchNorm(split.suffix, batches(), signal);
}
