// bench/quality: Fashion-MNIST through the whole engine as a project's run would go:
// 3,000 training images (stratified; 10 % of them held out as validation), the 10,000
// test images, MobileNetV2 from the registry, phase 1 (head on cached features), then
// phase 2 (last block unfrozen, lower learning rate). Prints test accuracy, macro F1 and
// wall time with extraction and training apart, against a baseline in the same run: a
// linear softmax on the raw pixels, trained by the same trainer. Usage:
//   npx tsx bench/quality.ts [--train 3000] [--test 10000] [--size 96] [--unfreeze 1] [--cache DIR]
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { selectBackend } from '../src-main/engine/backend';
import { buildHead } from '../src-main/engine/head';
import { runTraining } from '../src-main/engine/run';
import { evaluate, fit } from '../src-main/engine/trainer';
import { RunConfig } from '../src-shared/engine-config';
import { accuracy, confusionMatrix, macroF1, perClassMetrics } from '../src-shared/engine-metrics';
import type { BackendInfo, RunData, RunImage, RunResult } from '../src-shared/engine-protocol';
import { HeadSpec } from '../src-shared/head-spec';
import { FASHION_CLASSES, readFashion } from '../test/fixtures/engine/fashion-mnist';
import type { Fashion } from '../test/fixtures/engine/fashion-mnist';

const { values: opt } = parseArgs({
  options: {
    train: { type: 'string', default: '3000' },
    test: { type: 'string', default: '10000' },
    size: { type: 'string', default: '96' },
    unfreeze: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '60' },
    lr: { type: 'string', default: '1e-3' },
    hidden: { type: 'string', default: '0' },
    cache: { type: 'string' },
  },
});
const root = opt.cache ?? mkdtempSync(join(tmpdir(), 'fs-quality-'));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

/** The first n/10 images of each class, in file order: stratified and the same every time. */
function stratified(f: Fashion, n: number): number[] {
  const per = new Array<number>(10).fill(0);
  const out: number[] = [];
  for (let i = 0; i < f.count && out.length < n; i++) if (per[f.labels[i]!]! < n / 10) (per[f.labels[i]!]! += 1, out.push(i));
  return out;
}

async function writePngs(f: Fashion, idx: number[], dir: string, tag: string): Promise<RunImage[]> {
  mkdirSync(dir, { recursive: true });
  return Promise.all(
    idx.map(async (i) => {
      const path = join(dir, `${tag}-${i}.png`);
      await sharp(Buffer.from(f.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path);
      return { hash: `${tag}${i}`, path, label: f.labels[i]! };
    }),
  );
}

async function data(): Promise<RunData> {
  const tr = readFashion('train');
  const te = readFashion('t10k', Number(opt.test));
  const train = await writePngs(tr, stratified(tr, Number(opt.train)), join(root, 'png'), 'tr');
  const test = await writePngs(te, Array.from({ length: te.count }, (_, i) => i), join(root, 'png'), 'te');
  // Every tenth image of each class validates: early stopping needs a split the model never trains on.
  const val = train.filter((_, k) => k % 10 === 9);
  return { classes: FASHION_CLASSES, train: train.filter((_, k) => k % 10 !== 9), val, test };
}

/** Baseline: softmax on the 784 raw pixels (/255), same trainer, same split. */
async function pixelBaseline(d: RunData): Promise<{ acc: number; f1: number; ms: number }> {
  const t0 = performance.now();
  const px = async (imgs: RunImage[]) => Promise.all(imgs.map(async (i) => Float32Array.from(await sharp(i.path).extractChannel(0).raw().toBuffer(), (v) => v / 255)));
  const [train, val, test] = await Promise.all([px(d.train), px(d.val), px(d.test)]);
  const head = buildHead(HeadSpec.parse({}), [1, 1, 784], 10, 'single', { seed: 1 });
  const config = RunConfig.parse({ backboneId: 'x', phase1: { epochs: 30, batchSize: 32, optimizer: { kind: 'adam', lr: 1e-3 } } }).phase1;
  const lab = (imgs: RunImage[]) => imgs.map((i) => i.label);
  await fit({ phase: 1, model: head.top, head, classes: 10, train: { shape: [784], views: train.map((v) => [v]), labels: lab(d.train) }, val: { shape: [784], values: val, labels: lab(d.val) }, config, seed: 1 });
  const ev = evaluate(head.top, { shape: [784], values: test, labels: lab(d.test) }, 10);
  const cm = confusionMatrix(lab(d.test), ev.predicted, 10);
  return { acc: accuracy(cm), f1: macroF1(perClassMetrics(cm)), ms: performance.now() - t0 };
}

const earlyStopping = { monitor: 'valLoss', patience: 4, restoreBest: true };
const config = (phase2: boolean) =>
  RunConfig.parse({
    backboneId: 'mobilenet_v2',
    inputSize: Number(opt.size),
    head: { layers: Number(opt.hidden) ? [{ kind: 'dense', units: Number(opt.hidden) }, { kind: 'dropout', rate: 0.3 }] : [] },
    phase1: { epochs: Number(opt.epochs), batchSize: 32, optimizer: { kind: 'adam', lr: Number(opt.lr) }, earlyStopping },
    phase2: phase2 ? { epochs: 15, batchSize: 32, optimizer: { kind: 'adam', lr: Number(opt.lr) / 10 }, unfreezeBlocks: Number(opt.unfreeze), earlyStopping } : null,
    seed: 1,
  });

async function run(d: RunData, phase2: boolean, backend: BackendInfo): Promise<{ r: RunResult; ms: number }> {
  const t0 = performance.now();
  let shown = 0;
  const r = await runTraining(config(phase2), d, {
    dirs: { featureCache: join(root, 'features'), modelCache: join(root, 'models'), run: join(root, 'runs', phase2 ? 'p12' : 'p1') },
    backend,
    emit: (e) => {
      if (e.type === 'features' && e.done - shown >= 1000) (shown = e.done, process.stderr.write(`  phase ${e.phase} features ${e.split} ${e.done}/${e.total}\n`));
      if (e.type === 'features' && e.done === e.total) shown = 0;
    },
  });
  return { r, ms: performance.now() - t0 };
}

function report(name: string, { r, ms }: { r: RunResult; ms: number }): void {
  const phases = r.phases.map((p) => `phase ${p.phase}: ${p.epochs} epochs (best ${p.bestEpoch}), extraction ${secs(p.featureMs)}, training ${secs(p.fitMs)}`);
  console.log(`${name}: test accuracy ${pct(r.test!.accuracy)}, macro F1 ${pct(r.test!.macroF1)}; wall ${secs(ms)}\n  ${phases.join('\n  ')}`);
}

async function main(): Promise<void> {
  const b = await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
  const backend: BackendInfo = { name: b.name, rejected: b.rejected, versions: b.versions };
  const t0 = performance.now();
  const d = await data();
  console.log(`backend ${backend.name}; MobileNetV2 (nsfwjs weights) at ${opt.size} px; Fashion-MNIST ${d.train.length} train + ${d.val.length} val (stratified), ${d.test.length} test; PNGs written in ${secs(performance.now() - t0)}; cache ${root}`);
  const base = await pixelBaseline(d);
  console.log(`baseline, softmax on raw pixels: test accuracy ${pct(base.acc)}, macro F1 ${pct(base.f1)}; ${secs(base.ms)}`);
  const p1 = await run(d, false, backend);
  report('phase 1 only (head on cached features)', p1);
  const p12 = await run(d, true, backend);
  report(`phase 1 + phase 2 (unfreeze ${opt.unfreeze}; phase 1 derives its features from phase 2's split activations)`, p12);
  console.log(`error rate against the baseline: phase 1 ${((1 - p1.r.test!.accuracy) / (1 - base.acc)).toFixed(2)}x, phase 1 + 2 ${((1 - p12.r.test!.accuracy) / (1 - base.acc)).toFixed(2)}x`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
