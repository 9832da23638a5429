// One shard of a data-parallel training step (shards.ts), in a worker thread of the
// training process with its own tfjs and single-thread wasm backend. It holds a copy of the
// model rebuilt from its topology; before each step it takes the trainable weights the main
// thread wrote into shared memory, computes its rows' part of the loss and its gradients,
// and writes them back to shared memory. It keeps no optimizer: the main thread applies
// the summed gradients, so there is one set of weights and optimizer state.
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../../src-node-shared/backend';
import { installFrozenBatchNormInference } from '../batchnorm';
import { shardLoss } from './shard-loss';
import type { ShardInit, ShardReply, ShardStep } from './shards';

type Dropout = tf.layers.Layer & { seed?: number };

/** Layers of the model and of the models nested in it (the head's `top`), depth first. */
function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? allLayers(l) : [l]));
}

async function build(init: ShardInit): Promise<{ model: tf.LayersModel; vars: tf.LayerVariable[] }> {
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  installFrozenBatchNormInference();
  const model = await tf.models.modelFromJSON({ modelTopology: init.topology as tf.io.ModelJSON['modelTopology'] });
  const byName = new Map(init.weights.map((w) => [w.name, w]));
  for (const w of model.weights) {
    const v = byName.get(w.originalName);
    if (!v) throw new Error(`shard: the rebuilt model has a weight ${w.originalName} the main thread did not send`);
    tf.tidy(() => {
      w.write(tf.tensor(v.values, v.shape));
    });
  }
  const vars = model.trainableWeights;
  const names = vars.map((v) => v.originalName).join(',');
  if (names !== init.trainable.join(','))
    throw new Error(`shard: the rebuilt model trains ${names}, the main thread ${init.trainable.join(',')}`);
  return { model, vars };
}

async function main(): Promise<void> {
  const init = workerData as ShardInit;
  const port = parentPort!;
  const { model, vars } = await build(init);
  const params = new Float32Array(init.params);
  const grads = new Float32Array(init.grads);
  const dropouts = allLayers(model).filter((l) => l.getClassName() === 'Dropout') as Dropout[];
  const shapes = vars.map((v) => v.shape as number[]);
  const tfVars = vars.map((v) => v.read() as tf.Variable);
  const step = async (m: ShardStep): Promise<ShardReply> => {
    let at = 0;
    tf.tidy(() => {
      vars.forEach((v, i) => {
        const size = shapes[i]!.reduce((a, b) => a * b, 1);
        v.write(tf.tensor(params.subarray(at, at + size), shapes[i]));
        at += size;
      });
    });
    // Seeded per shard: with dropout the masks differ from a one-thread step's, but a run still repeats.
    dropouts.forEach((d, i) => (d.seed = m.seeds[i] === undefined ? undefined : m.seeds[i]! + 7919 * init.index));
    const x = tf.tensor(m.x, m.shape);
    let pred: tf.Tensor | null = null;
    const out = tf.variableGrads(() => {
      const r = shardLoss(model, x, m.labels, m.classWeights, init.classes, m.batchSize);
      pred = r.pred;
      return r.loss;
    }, tfVars);
    x.dispose();
    at = 0;
    for (const v of tfVars) {
      const g = (await out.grads[v.name]!.data()) as Float32Array;
      grads.set(g, at);
      at += g.length;
    }
    const loss = (await out.value.data())[0]!;
    const p = (await (pred as unknown as tf.Tensor).data()) as Int32Array;
    tf.dispose([out.value, ...Object.values(out.grads), pred as unknown as tf.Tensor]);
    return { loss, pred: p };
  };
  port.on('message', (m: ShardStep) => {
    step(m).then(
      (r) => port.postMessage(r),
      (err: unknown) => port.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
  port.postMessage({ ready: true });
}

main().catch((err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }));
