// bench/train: an epoch with the engine's caches against the naive way (the frozen part
// of the backbone runs on every batch, as Keras' fit does), same data, same backend, same
// process. Cache building is timed apart. Usage:
//   npx tsx bench/train.ts [--images 64] [--size 224] [--blocks 1,2] [--backend wasm]
// It also times phase 1's cached epoch in 2 shards against one thread.
import * as tf from '@tensorflow/tfjs';
import { preprocess } from '../src-node-shared/data/preprocess';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src-node-shared/backend';
import type { BackendName } from '../src-node-shared/backend';
import { findBackbone } from '../src-node-shared/backbones/registry';
import { loadBackbone } from '../src-training/backbones/load';
import { splitBackbone } from '../src-training/backbones/split';
import { computeFeatures, pooledExtractor, splitExtractor } from '../src-training/data/features';
import type { Extractor, ViewSet } from '../src-training/data/features';
import { buildHead } from '../src-training/head';
import type { Head } from '../src-training/head';
import { buildPhase2Model } from '../src-training/phase2';
import { fit, trainStep } from '../src-training/trainer';
import { Shards } from '../src-training/parallel/shards';
import { buildOptimizer, disposeOptimizer } from '../src-training/optimizer';
import { FitConfig } from '../src-shared/engine-config';
import { HeadSpec } from '../src-shared/head-spec';
import { fashionImage, readFashion } from '../test/fixtures/engine/fashion-mnist';

const { values: opt } = parseArgs({
  options: {
    images: { type: 'string', default: '64' },
    size: { type: 'string', default: '224' },
    blocks: { type: 'string', default: '1,2' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const N = Number(opt.images);
const BATCH = 16;
const ms = (t: number) => `${(t / 1000).toFixed(2)} s`;

async function timed<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await f();
  return [out, performance.now() - t0];
}

/** The naive epoch: every batch runs `frozen` (inference) then one training step. */
async function naiveEpoch(
  frozen: Extractor,
  model: tf.LayersModel,
  head: Head,
  pixels: tf.Tensor3D[],
  labels: number[],
): Promise<number> {
  const o = buildOptimizer({ kind: 'adam', lr: 1e-4, beta1: 0.9, beta2: 0.999 });
  const st = {
    model,
    head,
    classes: 10,
    opt: o,
    vars: model.trainableWeights.map((w) => w.read() as tf.Variable),
    weights: new Array<number>(10).fill(1),
  };
  const step = async (at: number) => {
    const x = tf.tidy(
      () => frozen.model.predict(preprocess(tf.stack(pixels.slice(at, at + BATCH)), frozen.preprocessing)) as tf.Tensor,
    );
    await trainStep(st, x, labels.slice(at, at + BATCH));
    x.dispose();
  };
  await step(0); // warm-up, untimed, as for the cached way
  const [, t] = await timed(async () => {
    for (let at = 0; at < pixels.length; at += BATCH) await step(at);
  });
  disposeOptimizer(o);
  return t;
}

async function cachedEpochs(
  model: tf.LayersModel,
  head: Head,
  set: ViewSet,
  labels: number[],
  epochs: number,
  shards: Shards | null = null,
): Promise<number> {
  const run = (n: number) => {
    const config = FitConfig.parse({ epochs: n, batchSize: BATCH, optimizer: { kind: 'adam', lr: 1e-4 } });
    const train = { rows: set.rows, labels };
    return fit({ phase: 1, model, head, classes: 10, train, val: null, config, seed: 1, shards });
  };
  // A first epoch warms up kernels and allocations; both ways are timed warm.
  await run(1);
  const [, t] = await timed(() => run(epochs));
  return t / epochs;
}

async function main(): Promise<void> {
  const backend = await selectBackend({ prefer: opt.backend as BackendName });
  const backbone = await loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: Number(opt.size) });
  const fm = readFashion('train', N);
  const size = Number(opt.size);
  // Resized once, outside any timing: the naive epochs get decoding and resizing for free.
  const pixels = Array.from({ length: N }, (_, i) =>
    tf.tidy(() => tf.image.resizeBilinear(fashionImage(fm, i).toFloat() as tf.Tensor3D, [size, size], true)),
  );
  const labels = Array.from(fm.labels);
  const items = pixels.map((p, i) => ({ hash: `fm${i}`, source: p }));
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-train-'));
  console.log(`backend ${backend.name}; MobileNetV2 ${opt.size}px; ${N} Fashion-MNIST images; batch ${BATCH}`);

  const head = buildHead(HeadSpec.parse({}), backbone.featureShape, 10, 'single', { seed: 1 });
  const ex1 = pooledExtractor(backbone, 'avg');
  const [set1, build1] = await timed(() =>
    computeFeatures({ items, split: 'train', backbone, extractor: ex1, cacheDir }),
  );
  const cached1 = await cachedEpochs(head.top, head, set1, labels, 20);
  const naive1 = await naiveEpoch(ex1, head.top, head, pixels, labels);
  console.log(
    `phase 1: cache build ${ms(build1)} (once); epoch cached ${cached1.toFixed(1)} ms, naive ${ms(naive1)}; ratio ${(naive1 / cached1).toFixed(0)}x`,
  );
  // Phase 1 is not sharded (src-training/parallel): is its step, a head on pooled features,
  // big enough for a worker's round trip to pay? The same cached epochs, one thread and 2
  // shards in turn, 5 rounds of 10 epochs each; the medians.
  const shards = await Shards.start(head.top, 10, 2);
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < 5; r++) {
    one.push(await cachedEpochs(head.top, head, set1, labels, 10));
    two.push(await cachedEpochs(head.top, head, set1, labels, 10, shards));
  }
  await shards.close();
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  console.log(
    `phase 1 epoch (${N} images, batch ${BATCH}): one thread ${median(one).toFixed(1)} ms, 2 shards ${median(two).toFixed(1)} ms; 2 shards take ${(median(two) / median(one)).toFixed(2)}x the time`,
  );

  for (const blocks of opt.blocks!.split(',').map(Number)) {
    const split = splitBackbone(backbone, blocks);
    const ex2 = splitExtractor(backbone, split);
    const [set2, build2] = await timed(() =>
      computeFeatures({ items, split: 'train', backbone, extractor: ex2, cacheDir }),
    );
    const model = buildPhase2Model(split, head, 'frozen');
    const cached2 = await cachedEpochs(model, head, set2, labels, 2);
    const naive2 = await naiveEpoch(ex2, model, head, pixels, labels);
    console.log(
      `phase 2, unfreeze ${blocks} (${split.blocks.join(', ')}; split at ${split.splitLayer}): cache build ${ms(build2)} (once); epoch cached ${ms(cached2)}, naive ${ms(naive2)}; ratio ${(naive2 / cached2).toFixed(1)}x`,
    );
  }
  rmSync(cacheDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
