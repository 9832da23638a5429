// Data-parallel training steps on the CPU: the batch is cut into shards, the main thread
// steps the first and worker threads (shard-worker.ts) the others, each on its own
// single-thread wasm backend, and the main thread adds their gradients and applies them.
// One synchronisation per step, where the threaded wasm build has one per convolution, so a
// descheduled thread costs one wait, not dozens (bench/cpu-step, bench/README.md).
// Exact only where no BatchNorm trains: frozen BatchNorm (phase 2's default) normalises each
// example alone, so shards give the one-thread step's gradients up to float rounding.
import * as tf from '@tensorflow/tfjs';
import { Worker } from 'node:worker_threads';
import { l2Penalty } from '../head';
import { sampleLoad, shardsForLoad, type MachineLoad, type ShardChoice } from './machine-load';
import type { Stepper } from '../trainer';
import { shardLoss } from './shard-loss';

export interface ShardInit {
  index: number;
  topology: object;
  weights: Array<{ name: string; shape: number[]; values: Float32Array }>;
  /** Trainable weights' names, in the order of `params` and `grads`. */
  trainable: string[];
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  classes: number;
}

export interface ShardStep {
  x: Float32Array;
  shape: number[];
  labels: number[];
  classWeights: number[];
  /** The whole batch's size: each shard's loss is its sum over this. */
  batchSize: number;
  seeds: Array<number | undefined>;
}

export type ShardReply = { loss: number; pred: Int32Array } | { error: string } | { ready: true };

/** What a step needs of the trainer's loop. */
export type ShardedStepper = Omit<Stepper, 'shards'>;

class Peer {
  private readonly worker: Worker;
  private pending: { resolve: (r: ShardReply) => void; reject: (e: Error) => void } | null = null;
  readonly grads: Float32Array;

  constructor(url: URL, init: ShardInit) {
    this.grads = new Float32Array(init.grads);
    this.worker = url.pathname.endsWith('.ts')
      ? // From the sources (tests, benches): a worker thread does not inherit tsx's hooks; it registers them.
        new Worker(
          `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`,
          { eval: true, workerData: init },
        )
      : new Worker(url, { workerData: init });
    this.worker.on('message', (r: ShardReply) => this.settle(r));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`shard ${init.index} exited (code ${code})`)));
  }

  private settle(r: ShardReply): void {
    const p = this.pending;
    this.pending = null;
    if ('error' in r) p?.reject(new Error(r.error));
    else p?.resolve(r);
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  /** The next reply: `ready` first, then one per posted step. */
  reply(msg?: ShardStep): Promise<ShardReply> {
    const r = new Promise<ShardReply>((resolve, reject) => (this.pending = { resolve, reject }));
    if (msg) this.worker.postMessage(msg, [msg.x.buffer as ArrayBuffer]);
    return r;
  }

  close(): Promise<number> {
    this.worker.removeAllListeners('exit');
    return this.worker.terminate();
  }
}

/**
 * Where the worker's script is: next to this file in the sources, next to the bundle's entry in
 * dist/. Packaged, that entry is inside app.asar and the worker's bundle is unpacked beside it
 * (electron-builder.yml's asarUnpack), since a worker thread cannot be relied on to read app.asar.
 */
export function workerUrl(here: string = import.meta.url): URL {
  const url = new URL(here.endsWith('.ts') ? './shard-worker.ts' : './shard-worker.mjs', here);
  return new URL(url.href.replace('/app.asar/', '/app.asar.unpacked/'));
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Layers of the model and of the models nested in it, depth first. */
function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((l) => (l instanceof tf.LayersModel ? allLayers(l) : [l]));
}

/** Why this model cannot be stepped in shards, or null when it can. */
export function shardRefusal(model: tf.LayersModel): string | null {
  const bn = allLayers(model).find((l) => l.getClassName() === 'BatchNormalization' && l.trainable);
  return bn ? `BatchNorm layer ${bn.name} trains on batch statistics, which shards would change` : null;
}

/**
 * Shards for a CPU (wasm) training step: STUDIO_TRAIN_SHARDS when set, whatever the load (so
 * tests and benches get what they ask for), else what the machine's load leaves room for, one
 * per core up to 2 (the count measured, bench/cpu-step; machine-load.ts). 1 means the plain
 * one-thread step.
 */
export async function shardsWanted(measure: () => Promise<MachineLoad> = sampleLoad): Promise<ShardChoice> {
  const env = process.env.STUDIO_TRAIN_SHARDS;
  if (env === undefined || env === '') return shardsForLoad(await measure());
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`STUDIO_TRAIN_SHARDS must be a whole number of shards, at least 1; got "${env}"`);
  return n === 1 ? { count: 1, note: 'STUDIO_TRAIN_SHARDS=1' } : { count: n };
}

export class Shards {
  private constructor(
    private readonly peers: Peer[],
    private readonly params: Float32Array,
  ) {}

  get count(): number {
    return this.peers.length + 1;
  }

  /** Starts `count - 1` workers holding copies of `model`; throws with the reason when one cannot start. */
  static async start(model: tf.LayersModel, classes: number, count: number): Promise<Shards> {
    const refused = shardRefusal(model);
    if (refused) throw new Error(refused);
    const trainable = model.trainableWeights;
    const total = trainable.reduce((n, w) => n + sizeOf(w.shape as number[]), 0);
    const params = new SharedArrayBuffer(total * 4);
    const weights = [];
    for (const w of model.weights)
      weights.push({
        name: w.originalName,
        shape: w.shape as number[],
        values: (await w.read().data()) as Float32Array,
      });
    const topology = model.toJSON(null, false) as object;
    const peers: Peer[] = [];
    try {
      for (let index = 1; index < count; index++) {
        const init: ShardInit = {
          index,
          topology,
          weights,
          trainable: trainable.map((w) => w.originalName),
          params,
          grads: new SharedArrayBuffer(total * 4),
          classes,
        };
        peers.push(new Peer(workerUrl(), init));
      }
      await Promise.all(peers.map((p) => p.reply()));
    } catch (err) {
      await Promise.all(peers.map((p) => p.close()));
      throw err;
    }
    return new Shards(peers, new Float32Array(params));
  }

  /** One optimizer step over the whole batch; the same contract as trainer.ts' trainStep. */
  async step(s: ShardedStepper, x: tf.Tensor, labels: number[]): Promise<{ loss: number; pred: Int32Array }> {
    const n = labels.length;
    const per = Math.ceil(n / this.count);
    let at = 0;
    for (const v of s.vars) {
      const d = (await v.data()) as Float32Array;
      this.params.set(d, at);
      at += d.length;
    }
    const xs = (await x.data()) as Float32Array;
    const row = xs.length / n;
    const seeds = s.head.dropouts.map((d) => d.seed);
    const busy = this.peers.flatMap((p, i) => {
      const a = (i + 1) * per;
      const b = Math.min(n, a + per);
      if (a >= b) return [];
      const msg: ShardStep = {
        x: xs.slice(a * row, b * row),
        shape: [b - a, ...x.shape.slice(1)],
        labels: labels.slice(a, b),
        classWeights: s.weights,
        batchSize: n,
        seeds,
      };
      return [{ peer: p, reply: p.reply(msg) }];
    });
    let pred: tf.Tensor | null = null;
    const own = tf.tidy(() => x.slice(0, Math.min(n, per)));
    const out = tf.variableGrads(() => {
      const r = shardLoss(s.model, own, labels.slice(0, per), s.weights, s.classes, n);
      pred = r.pred;
      const l2 = l2Penalty(s.head);
      return l2 ? tf.add(r.loss, l2) : r.loss;
    }, s.vars);
    own.dispose();
    try {
      const replies = await Promise.all(busy.map((b) => b.reply));
      const summed = tf.tidy(() => {
        const g: tf.NamedTensorMap = {};
        let off = 0;
        for (const v of s.vars) {
          let sum = out.grads[v.name]!;
          for (const b of busy) sum = tf.add(sum, tf.tensor(b.peer.grads.subarray(off, off + v.size), v.shape));
          g[v.name] = sum;
          off += v.size;
        }
        return g;
      });
      s.opt.applyGradients(summed);
      tf.dispose(Object.values(summed));
      const ownLoss = (await out.value.data())[0]!;
      const ownPred = (await (pred as unknown as tf.Tensor).data()) as Int32Array;
      const parts = replies as Array<{ loss: number; pred: Int32Array }>;
      const all = new Int32Array(n);
      all.set(ownPred, 0);
      parts.forEach((r, i) => all.set(r.pred, (i + 1) * per));
      return { loss: parts.reduce((l, r) => l + r.loss, ownLoss), pred: all };
    } finally {
      tf.dispose([out.value, ...Object.values(out.grads), pred as unknown as tf.Tensor]);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.peers.map((p) => p.close()));
  }
}
