// One tfjs side of bench/cpu-step, in a process of its own: the phase-2 model on the shared
// activations, trained by the engine's own trainStep on a backend variant. Answers the
// orchestrator's requests over Node IPC:
//   {op: 'losses', steps}  from the initial weights, `steps` steps: the losses
//   {op: 'time', steps}    `steps` warm steps: milliseconds each, wall and CPU time (all threads),
//                          and the busiest thread's CPU time per step
// Usage (by bench/cpu-step.ts): tfjs-worker.ts DIR BLOCKS THREADS [before|shardsN]
// `before` puts back the composed kernels the engine used before heap-kernels.ts; `shardsN`
// steps each batch data-parallel over N threads (src-training/parallel/shards.ts).
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src-node-shared/backend';
import { uninstallHeapKernels } from '../../src-node-shared/wasm/heap-kernels';
import { buildOptimizer, disposeOptimizer } from '../../src-training/optimizer';
import { restoreInto, snapshotOf, trainStep } from '../../src-training/trainer';
import type { Stepper } from '../../src-training/trainer';
import { Shards } from '../../src-training/parallel/shards';
import { busiestMs, taskTicks } from './task-cpu';
import { CLASSES, kerasMobileNetV2, phase2Of, readBatch } from './model';

const [dir, blocksArg, threadsArg, variant] = process.argv.slice(2);
const THREADS = Number(threadsArg);

type Request = { op: 'losses' | 'time'; steps: number };

function stepperOf(model: tf.LayersModel, head: Stepper['head'], shards: Shards | null): Stepper {
  return {
    shards,
    model,
    head,
    classes: CLASSES,
    opt: buildOptimizer({ kind: 'adam', lr: 1e-4, beta1: 0.9, beta2: 0.999 }),
    vars: model.trainableWeights.map((w) => w.read() as tf.Variable),
    weights: new Array<number>(CLASSES).fill(1),
  };
}

async function main(): Promise<void> {
  const backend = await selectBackend({ prefer: 'wasm', wasmThreads: THREADS });
  if (variant === 'before') uninstallHeapKernels();
  const p = phase2Of(await kerasMobileNetV2(), Number(blocksArg));
  const batch = readBatch(dir!);
  const x = tf.tensor(batch.x, batch.shape);
  const initial = await snapshotOf(p.model);
  const shards = variant?.startsWith('shards') ? await Shards.start(p.model, CLASSES, Number(variant.slice(6))) : null;
  let timing: Stepper | null = null;
  const handle = async (req: Request): Promise<unknown> => {
    if (req.op === 'losses') {
      restoreInto(p.model, initial);
      const s = stepperOf(p.model, p.head, shards);
      const losses: number[] = [];
      for (let i = 0; i < req.steps; i++) losses.push((await trainStep(s, x, batch.labels)).loss);
      disposeOptimizer(s.opt);
      return { losses };
    }
    if (!timing) {
      timing = stepperOf(p.model, p.head, shards);
      await trainStep(timing, x, batch.labels); // warm-up: kernels, allocations
    }
    const ms: number[] = [];
    const cpu: number[] = [];
    const ticks = taskTicks();
    for (let i = 0; i < req.steps; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await trainStep(timing, x, batch.labels);
      const c = process.cpuUsage(c0);
      ms.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    return { ms, cpu, busiest: busiestMs(ticks, taskTicks(), req.steps) };
  };
  process.on('message', (req: Request) => {
    handle(req).then(
      (out) => process.send!(out),
      (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.send!({
    ready: true,
    backend: backend.name,
    threads: shards ? String(shards.count) : (backend.versions.wasmThreads ?? '1'),
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
