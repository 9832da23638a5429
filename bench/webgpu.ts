// bench/webgpu: the WebGPU rung against the CPU paths, in one process on the same data.
// The phase-2 step (MobileNetV2 1.0 suffix of the last N blocks + head, on cached split
// activations) on tfjs-wasm and on WebGPU; the phase-1 cache build (the frozen prefix over
// images) on ONNX Runtime's CPU provider, tfjs-wasm and WebGPU. wasm runs first: values
// move from wasm to WebGPU on first use, never back (WebGPU in Node has no sync readback).
// Through lavapipe, WebGPU *is* the CPU: its figures are a fact about the CPU path. Usage:
//   eval "$(scripts/lavapipe.sh)"; STUDIO_WEBGPU_ALLOW_SOFTWARE=1 npx tsx bench/webgpu.ts [--images 64] [--size 160] [--blocks 2] [--batch 32] [--steps 5]
// --random builds MobileNetV2 from code with random weights (same cost, no weight files);
// --webgpu-only skips ORT and wasm: bench/gpu/device-check.sh runs it so on a lent GPU.
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src-node-shared/backend';
import { findBackbone } from '../src-node-shared/backbones/registry';
import { loadBackbone, type Backbone } from '../src-training/backbones/load';
import { mobilenetV2 } from '../src-node-shared/backbones/arch/mobilenet-v2';
import { installFrozenBatchNormInference } from '../src-training/batchnorm';
import { splitBackbone, type SplitBackbone } from '../src-training/backbones/split';
import { preprocess, type Preprocessing } from '../src-node-shared/data/preprocess';
import { openFrozen } from '../src-training/frozen';
import { buildHead, type Head } from '../src-training/head';
import { buildOptimizer, disposeOptimizer } from '../src-training/optimizer';
import { buildPhase2Model } from '../src-training/phase2';
import { trainStep } from '../src-training/trainer';
import { startWebGpu, stopWebGpu } from '../src-node-shared/webgpu/device';
import { adapterLine } from '../src-node-shared/webgpu/adapter';
import { HeadSpec } from '../src-shared/head-spec';

const { values: opt } = parseArgs({
  options: {
    images: { type: 'string', default: '64' },
    size: { type: 'string', default: '160' },
    blocks: { type: 'string', default: '2' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '5' },
    random: { type: 'boolean', default: false },
    'webgpu-only': { type: 'boolean', default: false },
  },
});
const N = Number(opt.images);
const SIZE = Number(opt.size);
const BATCH = Number(opt.batch);
const STEPS = Number(opt.steps);

async function timed(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Images per second through the frozen prefix, after one untimed batch (shader compiles, weight upload). */
async function cacheRate(
  prefix: tf.LayersModel,
  p: Preprocessing,
  prefer: 'onnx' | 'tfjs',
): Promise<{ rate: number; runtime: string }> {
  const runner = await openFrozen(prefix, { prefer, threads: availableParallelism() });
  const batch = async (seed: number) => {
    const x = tf.tidy(
      () => preprocess(tf.randomUniform([BATCH, SIZE, SIZE, 3], 0, 255, 'float32', seed), p) as tf.Tensor4D,
    );
    await runner.run(x);
    x.dispose();
  };
  await batch(0);
  const t = await timed(async () => {
    for (let at = 0; at < N; at += BATCH) await batch(at + 1);
  });
  await runner.dispose();
  return { rate: (Math.ceil(N / BATCH) * BATCH) / (t / 1000), runtime: runner.info.runtime };
}

/** Milliseconds per phase-2 step on cached activations, after one untimed step. */
async function stepMs(split: SplitBackbone, head: Head): Promise<number> {
  const model = buildPhase2Model(split, head, 'frozen');
  const opt = buildOptimizer({ kind: 'adam', lr: 1e-4, beta1: 0.9, beta2: 0.999 });
  const stepper = {
    model,
    head,
    classes: 10,
    opt,
    vars: model.trainableWeights.map((w) => w.read() as tf.Variable),
    weights: new Array<number>(10).fill(1),
  };
  const labels = Array.from({ length: BATCH }, (_, i) => i % 10);
  const x = tf.randomUniform([BATCH, ...split.splitShape], 0, 6, 'float32', 3);
  await trainStep(stepper, x, labels);
  const t = await timed(async () => {
    for (let i = 0; i < STEPS; i++) await trainStep(stepper, x, labels);
  });
  x.dispose();
  disposeOptimizer(opt);
  return t / STEPS;
}

/** nsfwjs' MobileNetV2 (real weights, in the npm package), or Keras' built from code with random ones. */
async function mobileNetV2(): Promise<Backbone> {
  if (!opt.random) return loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: SIZE });
  installFrozenBatchNormInference();
  const features = mobilenetV2.build({ inputSize: SIZE, alpha: 1 });
  for (const layer of features.layers) layer.trainable = false;
  const [, h, w, c] = features.outputs[0]!.shape as number[];
  return { entry: findBackbone('mobilenet_v2'), inputSize: SIZE, features, featureShape: [h!, w!, c!], hash: 'random' };
}

async function main(): Promise<void> {
  await selectBackend({ prefer: opt['webgpu-only'] ? 'cpu' : 'wasm' });
  const backbone = await mobileNetV2();
  const split = splitBackbone(backbone, Number(opt.blocks));
  const head = buildHead(HeadSpec.parse({}), backbone.featureShape, 10, 'single', { seed: 1 });
  const p = backbone.entry.preprocessing;
  console.log(
    `MobileNetV2 1.0 at ${SIZE} px; phase 2 unfreezes ${split.blocks.join(', ')} (split at ${split.splitLayer}); batch ${BATCH}; ${N} images; ${availableParallelism()} cores`,
  );
  const cpuPaths = !opt['webgpu-only'];
  const ort = cpuPaths ? await cacheRate(split.prefix, p, 'onnx') : { rate: NaN, runtime: 'onnxruntime (skipped)' };
  const wasmCache = cpuPaths ? await cacheRate(split.prefix, p, 'tfjs') : { rate: NaN, runtime: 'tfjs-wasm (skipped)' };
  const wasmStep = cpuPaths ? await stepMs(split, head) : NaN;
  const adapter = await startWebGpu();
  console.log(`WebGPU adapter: ${adapterLine(adapter)}`);
  const t0 = performance.now();
  const gpuCache = await cacheRate(split.prefix, p, 'tfjs');
  const gpuStep = await stepMs(split, head);
  const total = performance.now() - t0;
  console.log(
    `cache build (images/s): ${ort.runtime} ${ort.rate.toFixed(1)}, tfjs-wasm ${wasmCache.rate.toFixed(1)}, tfjs-webgpu ${gpuCache.rate.toFixed(1)}`,
  );
  console.log(
    `  webgpu / wasm ${(gpuCache.rate / wasmCache.rate).toFixed(2)}x, webgpu / ${ort.runtime} ${(gpuCache.rate / ort.rate).toFixed(2)}x`,
  );
  console.log(
    `phase-2 step (ms): wasm ${wasmStep.toFixed(0)}, webgpu ${gpuStep.toFixed(0)}; webgpu is ${(wasmStep / gpuStep).toFixed(2)}x wasm's speed`,
  );
  console.log(`(WebGPU part, warm-ups and shader compiles included: ${(total / 1000).toFixed(1)} s)`);
  stopWebGpu();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
