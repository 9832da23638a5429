// tfjs-layers ignores `trainable = false` in training mode: a frozen BatchNormalization
// layer still normalises with the batch's statistics and updates its moving mean and
// variance (DESIGN.md, measured). Keras now runs frozen BN in inference mode; so does
// the studio, by forcing `training: false` inside the layer's call. `fit` passes its own
// flag to every layer, so this has to happen in the layer, not where the graph is built.
import * as tf from '@tensorflow/tfjs';
import { yieldOrStop } from '../src-node-shared/yield';

type Call = (
  this: tf.layers.Layer,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
) => tf.Tensor | tf.Tensor[];

const PATCHED = Symbol.for('finetune-studio.frozen-bn');
/** Layers being re-estimated run in training mode even though frozen. */
const reestimating = new WeakSet<tf.layers.Layer>();

function bnPrototype(): { call: Call; [PATCHED]?: boolean } {
  const probe = tf.layers.batchNormalization({});
  return Object.getPrototypeOf(probe) as { call: Call; [PATCHED]?: boolean };
}

/** Idempotent, process-wide: the engine process always wants this behaviour. */
export function installFrozenBatchNormInference(): void {
  const proto = bnPrototype();
  if (proto[PATCHED]) return;
  const original = proto.call;
  proto.call = function (this: tf.layers.Layer, inputs, kwargs) {
    const frozen = !this.trainable && !reestimating.has(this);
    return original.call(this, inputs, frozen ? { ...kwargs, training: false } : kwargs);
  };
  proto[PATCHED] = true;
}

export function isBatchNorm(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'BatchNormalization';
}

interface BnLayer extends tf.layers.Layer {
  momentum: number;
}

/**
 * Re-estimates the moving mean and variance of the BatchNorm layers in `model` on new
 * data (an explicit choice, never automatic): a cumulative average over `batches`,
 * like PyTorch's update_bn, by setting the momentum so batch i weighs 1/i. Weights
 * other than the moving statistics are left alone. Yields between batches and stops on
 * `signal` (over a large training split this is minutes).
 */
export async function reestimateBatchNorm(
  model: tf.LayersModel,
  batches: Iterable<tf.Tensor>,
  signal?: AbortSignal,
): Promise<number> {
  const bns = model.layers.filter(isBatchNorm) as BnLayer[];
  const saved = bns.map((l) => l.momentum);
  bns.forEach((l) => reestimating.add(l));
  let i = 0;
  try {
    for (const x of batches) {
      await yieldOrStop(signal);
      i++;
      for (const l of bns) l.momentum = 1 - 1 / i;
      tf.tidy(() => {
        model.apply(x, { training: true });
      });
    }
  } finally {
    bns.forEach((l, k) => {
      l.momentum = saved[k]!;
      reestimating.delete(l);
    });
  }
  return bns.length;
}
