// Would features from more depths of the backbone move bench/assist.ts's floor? The assistant
// reads the pooled output of the backbone's last layer (what the runs' feature cache holds).
// Here, in one process on the same 3,000 Fashion-MNIST images (the first 300 of each class),
// MobileNetV2 1.0 at 224 px is read at several depths, each map average-pooled, and the
// assistant's own head (trainAssistant, on 128 principal components as the feature store
// keeps) is judged as in bench/assist-floor.ts: trained on half of the true labels, it
// suggests the other half, both ways. Printed per depth and for depths joined (each depth
// standardised and weighted so that every depth counts the same), against the last layer.
//   npx tsx bench/assist-depths.ts [--size 224] [--images 3000] [--dir /tmp/studio-assist-depths]
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readIdx } from '../scripts/fashion-mnist';
import { selectBackend } from '../src-node-shared/backend';
import { findBackbone } from '../src-node-shared/backbones/registry';
import { preprocess } from '../src-node-shared/data/preprocess';
import { BackboneService } from '../src-main/services/backbones/backbone-service';
import { top2, trainAssistant } from '../src-main/services/assist/model/assistant';
import { reduceDims } from '../src-main/services/assist/model/reduce';
import { standardize } from '../src-main/services/assist/model/standardize';
import { loadBackbone } from '../src-training/backbones/load';
import { FIXTURES } from './assist-project';

const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '224' },
    images: { type: 'string', default: '3000' },
    dir: { type: 'string', default: '/tmp/studio-assist-depths' },
  },
});
const size = Number(opt.size);
const N = Number(opt.images);
// The output of each stage of MobileNetV2 (Keras' names), shallow to deep.
const DEPTHS = [
  'block_2_add',
  'block_5_add',
  'block_9_add',
  'block_12_add',
  'block_15_add',
  'block_16_project_BN',
  'out_relu',
];
const LAST = DEPTHS.length - 1;
/** The last layer's width: what the assistant reads today. */
const REFERENCE_DIMS = 1280;

interface Pooled {
  /** Per depth: n x dims[j] average-pooled values. */
  parts: Float32Array[];
  dims: number[];
  truth: Int32Array;
}

/** Pooled maps at every depth, extracted once into `dir` (minutes here) and read back after. */
async function pooled(): Promise<Pooled> {
  const file = join(opt.dir, `mobilenet_v2-${size}-${N}.json`);
  if (!existsSync(file)) {
    mkdirSync(opt.dir, { recursive: true });
    await selectBackend({ prefer: 'wasm' });
    const models = join(opt.dir, 'models');
    const file224 = 'mobilenet_v2_1.0_224_from_slim_no_top.h5';
    await new BackboneService({ cacheDir: models }).import({ file: join(FIXTURES, file224), id: 'mobilenet_v2' });
    const bb = await loadBackbone(findBackbone('mobilenet_v2'), { inputSize: size, modelCacheDir: models });
    const outputs = DEPTHS.map((name) => bb.features.getLayer(name).output as tf.SymbolicTensor);
    const model = tf.model({ inputs: bb.features.inputs, outputs });
    const dims = outputs.map((o) => o.shape[3]!);
    const set = readIdx('train');
    const perClass = new Array(10).fill(0);
    const picks: number[] = [];
    for (let i = 0; i < set.count && picks.length < N; i++) if (perClass[set.labels[i]!]++ < N / 10) picks.push(i);
    const parts = dims.map((d) => new Float32Array(picks.length * d));
    const t0 = performance.now();
    for (let s = 0; s < picks.length; s += 32) {
      const batch = picks.slice(s, s + 32);
      const px = new Float32Array(batch.length * 784);
      batch.forEach((i, j) => px.set(set.pixels.subarray(i * 784, (i + 1) * 784), j * 784));
      const maps = tf.tidy(() => {
        const grey = tf.tensor4d(px, [batch.length, 28, 28, 1]);
        const rgb = tf.image.resizeBilinear(tf.tile(grey, [1, 1, 1, 3]) as tf.Tensor4D, [size, size]);
        return (model.predict(preprocess(rgb, bb.entry.preprocessing)) as tf.Tensor4D[]).map((m) => tf.mean(m, [1, 2]));
      });
      for (const [j, m] of maps.entries()) parts[j]!.set(await m.data(), s * dims[j]!);
      tf.dispose(maps);
      if (s % 640 === 0)
        console.log(`  extracted ${s} of ${picks.length} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    for (const [j, p] of parts.entries()) writeFileSync(join(opt.dir, `${DEPTHS[j]}-${size}-${N}.f32`), p);
    writeFileSync(file, JSON.stringify({ dims, truth: picks.map((i) => set.labels[i]) }));
  }
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { dims: number[]; truth: number[] };
  const parts = DEPTHS.map((name) => {
    const b = readFileSync(join(opt.dir, `${name}-${size}-${N}.f32`));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  return { parts, dims: meta.dims, truth: Int32Array.from(meta.truth) };
}

/**
 * The chosen depths side by side, each standardised and scaled so that each depth weighs the
 * same and the whole has the variance of the last layer's 1,280 standardised values alone: the
 * head's L2 strengths (chosen by cross-validation from a fixed list) then mean what they mean
 * for the features the assistant reads today.
 */
function joined(p: Pooled, which: number[]): { x: Float32Array; d: number } {
  const n = p.truth.length;
  const d = which.reduce((a, j) => a + p.dims[j]!, 0);
  const x = new Float32Array(n * d);
  let at = 0;
  for (const j of which) {
    const dj = p.dims[j]!;
    const z = standardize(p.parts[j]!, dj);
    const scale = Math.sqrt(REFERENCE_DIMS / (dj * which.length));
    for (let i = 0; i < n; i++) for (let c = 0; c < dj; c++) x[i * d + at + c] = z[i * dj + c]! * scale;
    at += dj;
  }
  return { x, d };
}

/** Wrong suggestions over the two halves, and how many of them remain once the 5 % least confident are left out. */
async function floor(p: Pooled, which: number[]): Promise<{ wrong: number; rest: number }> {
  const { x, d } = joined(p, which);
  const features = await reduceDims(x, d, Math.min(128, d));
  const n = p.truth.length;
  const judged: { probability: number; wrong: boolean }[] = [];
  for (const half of [0, 1]) {
    const labels = Int32Array.from(p.truth, (y, i) => (i % 2 === half ? y : -1));
    const out = await trainAssistant({ features, labels, k: 10, seed: 1 });
    for (let i = 0; i < n; i++) {
      if (i % 2 === half) continue;
      const t = top2(out.probs, i, 10);
      judged.push({ probability: t.probability, wrong: t.best !== p.truth[i] });
    }
  }
  const rest = judged.sort((a, b) => a.probability - b.probability).slice(Math.floor(0.05 * n));
  return { wrong: judged.filter((j) => j.wrong).length, rest: rest.filter((j) => j.wrong).length };
}

const p = await pooled();
const n = p.truth.length;
const last = await floor(p, [LAST]);
const line = (name: string, f: { wrong: number; rest: number }) =>
  `${name.padEnd(34)} ${String(f.wrong).padStart(4)} wrong of ${n} (${((100 * (n - f.wrong)) / n).toFixed(1)} % right), ${f.rest} among the surest 95 %; ${(last.wrong / f.wrong).toFixed(2)}x fewer than the last layer`;
console.log(
  `MobileNetV2 1.0 at ${size} px, ${n} Fashion-MNIST images, assistant head trained on one half, judging the other:`,
);
for (const [j, name] of DEPTHS.entries()) console.log(line(name, j === LAST ? last : await floor(p, [j])));
for (const which of [[2, 3, LAST], [3, 4, LAST], [1, 2, 3, 4, 5, LAST], DEPTHS.map((_, j) => j)])
  console.log(line(which.map((j) => DEPTHS[j]).join(' + '), await floor(p, which)));
