// On the WebGPU rung the first training step compiles every shader its forward and backward
// passes use (about 11 s on lavapipe, minutes under load; Mesa's disk cache shortens later
// starts). Left inside the first epoch it reads as a slow phase and skews the epoch's time
// and the ETA, so each phase runs one forward and backward pass on its first batch before
// training, untimed by the phase and reported as its own stage ("shader warm-up"). The
// gradients are dropped: no weight or optimizer state changes.
import * as tf from '@tensorflow/tfjs';
import { assertBackendHealthy } from '../src-node-shared/backend';
import type { Clock } from './trainer';
import { batchTensor, range } from './data/batches';
import { shardLoss } from './parallel/shard-loss';
import type { TrainSet } from './data/batches';

/** Backends whose first use of a kernel compiles it; others have nothing to warm. */
const COMPILING = new Set(['webgpu']);

/** Milliseconds spent compiling, or null when the backend compiles nothing. */
export async function warmUpShaders(
  model: tf.LayersModel,
  train: TrainSet,
  batchSize: number,
  clock: Clock,
): Promise<number | null> {
  if (!COMPILING.has(tf.getBackend()) || train.labels.length === 0) return null;
  const t0 = clock.now();
  const x = batchTensor(train.rows, range(0, Math.min(batchSize, train.labels.length)));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    const labels = train.labels.slice(0, x.shape[0]);
    const classes = model.outputs[0]!.shape.at(-1)!;
    let pred: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      // The training step's own loss, so its backward pass compiles the same shaders.
      const r = shardLoss(model, x, labels, new Array<number>(classes).fill(1), classes, labels.length);
      pred = r.pred;
      return r.loss;
    }, vars);
    (pred as tf.Tensor | null)?.dispose();
    // Reading back waits for the device to run (and so compile) every pass.
    await Promise.all([value.data(), ...Object.values(grads).map((g) => g.data())]);
    tf.dispose([value, ...Object.values(grads)]);
    assertBackendHealthy();
  } finally {
    x.dispose();
  }
  return clock.now() - t0;
}
