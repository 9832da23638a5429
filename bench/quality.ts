// bench/quality: does a backbone's pretraining transfer? On two datasets, in one process
// and on one split each, three ways: the bundled nsfwjs MobileNetV2 (NSFW-tuned), the
// real Keras ImageNet MobileNet 0.25 (test/fixtures/keras, loaded by the studio's .h5
// loader into the network built from code) and a softmax on the raw pixels. The two
// backbones go through runTraining exactly as a project's phase-1 run does (files decoded
// by sharp, composited on the background, the feature cache, early stopping with best
// restore). Test accuracy comes with its Wilson 95 % interval. Usage:
//   npx tsx bench/quality.ts [--stamps DIR] [--fashion-train 3000] [--fashion-test 2000] [--size 96] [--stamp-size 128]
// --stamps: class folders written by `npm run fixtures:tuxpaint -- DIR` (made in a temp folder when absent).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { selectBackend } from '../src-node-shared/backend';
import { importWeightsFile } from '../src-node-shared/backbones/model-cache';
import { BlockRows } from '../src-training/data/batches';
import { buildHead } from '../src-training/head';
import { runTraining } from '../src-training/run';
import { evaluate, fit } from '../src-training/trainer';
import { IMAGE_BACKGROUND } from '../src-shared/image-background';
import { RunConfig } from '../src-shared/engine-config';
import { accuracy, confusionMatrix, macroF1, perClassMetrics, wilsonInterval } from '../src-shared/engine-metrics';
import type { BackendInfo, RunData, RunImage } from '../src-shared/engine-protocol';
import { HeadSpec } from '../src-shared/head-spec';
import { seededRandom } from '../src-shared/random';
import { FASHION_CLASSES, readFashion } from '../test/fixtures/engine/fashion-mnist';

const { values: opt } = parseArgs({
  options: {
    stamps: { type: 'string' },
    'fashion-train': { type: 'string', default: '3000' },
    'fashion-test': { type: 'string', default: '2000' },
    size: { type: 'string', default: '96' },
    'stamp-size': { type: 'string', default: '128' },
    cache: { type: 'string' },
  },
});
const root = opt.cache ?? mkdtempSync(join(tmpdir(), 'fs-quality-'));
const KERAS_FIXTURE = join(import.meta.dirname, '../test/fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

interface Dataset {
  name: string;
  data: RunData;
  /** Input size for the backbones, and the side of the raw-pixel baseline. */
  size: number;
  pixelSide: number;
}

interface Outcome {
  correct: number;
  n: number;
  f1: number;
  ms: number;
}

async function fashion(): Promise<Dataset> {
  const tr = readFashion('train', 20_000);
  const te = readFashion('t10k', Number(opt['fashion-test']));
  const dir = join(root, 'fashion');
  mkdirSync(dir, { recursive: true });
  const per = new Array<number>(10).fill(0);
  const pick: number[] = [];
  for (let i = 0; i < tr.count && pick.length < Number(opt['fashion-train']); i++)
    if (per[tr.labels[i]!]! < Number(opt['fashion-train']) / 10) {
      per[tr.labels[i]!]! += 1;
      pick.push(i);
    }
  const png = (f: typeof tr, i: number, tag: string) =>
    sharp(Buffer.from(f.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(join(dir, `${tag}${i}.png`))
      .then(() => ({ hash: `${tag}${i}`, path: join(dir, `${tag}${i}.png`), label: f.labels[i]! }));
  const train = await Promise.all(pick.map((i) => png(tr, i, 'tr')));
  const test = await Promise.all(Array.from({ length: te.count }, (_, i) => png(te, i, 'te')));
  return {
    name: 'Fashion-MNIST',
    size: Number(opt.size),
    pixelSide: 28,
    data: {
      classes: FASHION_CLASSES,
      train: train.filter((_, k) => k % 10 !== 9),
      val: train.filter((_, k) => k % 10 === 9),
      test,
    },
  };
}

/** Class folders, split per class 60 / 10 / 30 by a seeded shuffle. */
function stamps(): Dataset {
  let dir = opt.stamps;
  if (!dir) {
    dir = join(root, 'stamps');
    if (!existsSync(dir))
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, '../scripts/tuxpaint-stamps.ts'), dir],
        { stdio: 'inherit' },
      );
  }
  const classes = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const next = seededRandom(7);
  const data: RunData = { classes, train: [], val: [], test: [] };
  classes.forEach((c, label) => {
    const files = readdirSync(join(dir, c))
      .filter((f) => /\.(png|jpe?g|svg)$/i.test(f))
      .sort();
    const order = files
      .map((f) => ({ f, k: next() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.f);
    order.forEach((f, i) => {
      const img: RunImage = { hash: `st-${c}-${i}`.replace(/[^A-Za-z0-9_-]/g, '_'), path: join(dir, c, f), label };
      const at = i / order.length;
      (at < 0.6 ? data.train : at < 0.7 ? data.val! : data.test!).push(img);
    });
  });
  return { name: 'tuxpaint stamps (colour)', size: Number(opt['stamp-size']), pixelSide: 32, data };
}

/** Softmax on raw RGB pixels at a small side (/255), composited like the engine's input; same trainer. */
async function pixels(d: Dataset): Promise<Outcome> {
  const t0 = performance.now();
  const side = d.pixelSide;
  const dim = side * side * 3;
  const px = (imgs: RunImage[]) =>
    Promise.all(
      imgs.map(async (i) =>
        Float32Array.from(
          await sharp(i.path)
            .rotate()
            .flatten({ background: IMAGE_BACKGROUND })
            .resize(side, side, { fit: 'fill' })
            .toColourspace('srgb')
            .removeAlpha()
            .raw()
            .toBuffer(),
          (v) => v / 255,
        ),
      ),
    );
  const [train, val, test] = await Promise.all([px(d.data.train), px(d.data.val!), px(d.data.test!)]);
  const k = d.data.classes.length;
  const head = buildHead(HeadSpec.parse({}), [1, 1, dim], k, 'single', { seed: 1 });
  const config = RunConfig.parse({
    backboneId: 'x',
    phase1: {
      epochs: 60,
      batchSize: 32,
      optimizer: { kind: 'adam', lr: 1e-3 },
      earlyStopping: { monitor: 'valLoss', patience: 4, restoreBest: true },
    },
  }).phase1;
  const lab = (imgs: RunImage[]) => imgs.map((i) => i.label);
  await fit({
    phase: 1,
    model: head.top,
    head,
    classes: k,
    train: {
      rows: BlockRows.of(
        [dim],
        train.map((v) => [v]),
      ),
      labels: lab(d.data.train),
    },
    val: {
      rows: BlockRows.of(
        [dim],
        val.map((v) => [v]),
      ),
      labels: lab(d.data.val!),
    },
    config,
    seed: 1,
  });
  const ev = await evaluate(
    head.top,
    {
      rows: BlockRows.of(
        [dim],
        test.map((v) => [v]),
      ),
      labels: lab(d.data.test!),
    },
    k,
  );
  const cm = confusionMatrix(lab(d.data.test!), ev.predicted, k);
  head.top.dispose();
  return {
    correct: Math.round(accuracy(cm) * test.length),
    n: test.length,
    f1: macroF1(perClassMetrics(cm)),
    ms: performance.now() - t0,
  };
}

async function backbone(d: Dataset, backboneId: string, backend: BackendInfo, modelCache: string): Promise<Outcome> {
  const t0 = performance.now();
  const config = RunConfig.parse({
    backboneId,
    inputSize: d.size,
    phase1: {
      epochs: 60,
      batchSize: 32,
      optimizer: { kind: 'adam', lr: 1e-3 },
      earlyStopping: { monitor: 'valLoss', patience: 4, restoreBest: true },
    },
    seed: 1,
  });
  const r = await runTraining(config, d.data, {
    dirs: { featureCache: join(root, 'features'), modelCache, run: join(root, 'runs', `${d.pixelSide}-${backboneId}`) },
    backend,
    emit: () => undefined,
  });
  const n = d.data.test!.length;
  return { correct: Math.round(r.test!.accuracy * n), n, f1: r.test!.macroF1, ms: performance.now() - t0 };
}

function line(way: string, o: Outcome): string {
  const ci = wilsonInterval(o.correct, o.n);
  return `  ${way.padEnd(44)} ${pct(o.correct / o.n).padStart(7)}  [${pct(ci.low)}, ${pct(ci.high)}]  macro F1 ${pct(o.f1)}  ${secs(o.ms)}`;
}

async function main(): Promise<void> {
  const b = await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
  const backend: BackendInfo = { name: b.name, rejected: b.rejected, versions: b.versions };
  const modelCache = join(root, 'models');
  await importWeightsFile(KERAS_FIXTURE, 'mobilenet_2_5_224_tf_no_top.h5', modelCache);
  for (const d of [stamps(), await fashion()]) {
    const { train, val, test } = d.data;
    console.log(
      `${d.name}: ${d.data.classes.length} classes (${d.data.classes.join(', ')}); ${train.length} train, ${val!.length} val, ${test!.length} test; backbones at ${d.size} px; backend ${backend.name}`,
    );
    console.log(line(`softmax on raw pixels (${d.pixelSide} px)`, await pixels(d)));
    console.log(
      line('nsfwjs MobileNetV2 (NSFW-tuned), phase 1', await backbone(d, 'nsfwjs_mobilenet_v2', backend, modelCache)),
    );
    console.log(
      line(
        'Keras ImageNet MobileNet 0.25 (fixture), phase 1',
        await backbone(d, 'mobilenet_0.25', backend, modelCache),
      ),
    );
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
