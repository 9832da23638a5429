// Which of the backbone's layers should the assistant read? It read the pooled output of the
// last layer (what the runs' feature cache holds); it now reads MobileNetV2's readout
// (BackboneEntry.readout: block_12_add and block_15_add averaged by quadrant, out_relu
// averaged). Here, in one process on the same 3,000 Fashion-MNIST images (the first 300 of
// each class), MobileNetV2 1.0 at 224 px is read at several depths, each map averaged whole
// and by quadrant, and the assistant's own head (trainAssistant, on the principal components
// the feature store keeps) is judged as in bench/assist-floor.ts: trained on half of the true
// labels, it suggests the other half, both ways. Layers joined are standardised and weighed
// as the feature store does (model/reduce.ts weighBlocks).
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
import { REDUCED_DIMS, reduceDims, weighBlocks } from '../src-main/services/assist/model/reduce';
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
/** Each depth averaged whole (index j), then by quadrant (index DEPTHS.length + j). */
const NAMES = [...DEPTHS, ...DEPTHS.map((d) => `${d}-quadrants`)];
const Q = (j: number) => DEPTHS.length + j;

/** A map's four quadrant means, as readoutExtractor pools them: windows of ceil(side / 2), row-major, channels last. */
function quadrants(m: tf.Tensor4D): tf.Tensor2D {
  const side = m.shape[1]!;
  const half = Math.ceil(side / 2);
  const q = [0, side - half].flatMap((y) =>
    [0, side - half].map((x) => tf.mean(tf.slice(m, [0, y, x, 0], [-1, half, half, -1]), [1, 2])),
  );
  return tf.stack(q, 1).reshape([m.shape[0]!, -1]) as tf.Tensor2D;
}

interface Pooled {
  /** Per depth: n x dims[j] average-pooled values. */
  parts: Float32Array[];
  dims: number[];
  truth: Int32Array;
}

/** Pooled maps at every depth, extracted once into `dir` (minutes here) and read back after. */
async function pooled(): Promise<Pooled> {
  const file = join(opt.dir, `mobilenet_v2-${size}-${N}-quadrants.json`);
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
    const parts = [...dims, ...dims.map((d) => 4 * d)].map((d) => new Float32Array(picks.length * d));
    const t0 = performance.now();
    for (let s = 0; s < picks.length; s += 32) {
      const batch = picks.slice(s, s + 32);
      const px = new Float32Array(batch.length * 784);
      batch.forEach((i, j) => px.set(set.pixels.subarray(i * 784, (i + 1) * 784), j * 784));
      const maps = tf.tidy(() => {
        const grey = tf.tensor4d(px, [batch.length, 28, 28, 1]);
        const rgb = tf.image.resizeBilinear(tf.tile(grey, [1, 1, 1, 3]) as tf.Tensor4D, [size, size]);
        const out = model.predict(preprocess(rgb, bb.entry.preprocessing)) as tf.Tensor4D[];
        return [...out.map((m) => tf.mean(m, [1, 2])), ...out.map(quadrants)];
      });
      for (const [j, m] of maps.entries()) parts[j]!.set(await m.data(), s * m.shape[1]!);
      tf.dispose(maps);
      if (s % 640 === 0)
        console.log(`  extracted ${s} of ${picks.length} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    for (const [j, p] of parts.entries()) writeFileSync(join(opt.dir, `${NAMES[j]}-${size}-${N}.f32`), p);
    writeFileSync(file, JSON.stringify({ dims, truth: picks.map((i) => set.labels[i]) }));
  }
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { dims: number[]; truth: number[] };
  const parts = NAMES.map((name) => {
    const b = readFileSync(join(opt.dir, `${name}-${size}-${N}.f32`));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  return { parts, dims: [...meta.dims, ...meta.dims.map((d) => 4 * d)], truth: Int32Array.from(meta.truth) };
}

/** The chosen parts side by side, standardised and weighed as the feature store does. */
function joined(p: Pooled, which: number[]): { x: Float32Array; d: number } {
  const n = p.truth.length;
  const blocks = which.map((j) => p.dims[j]!);
  const d = blocks.reduce((a, b) => a + b, 0);
  const raw = new Float32Array(n * d);
  let at = 0;
  for (const j of which) {
    const dj = p.dims[j]!;
    for (let i = 0; i < n; i++) raw.set(p.parts[j]!.subarray(i * dj, (i + 1) * dj), i * d + at);
    at += dj;
  }
  const x = standardize(raw, d);
  if (blocks.length > 1) weighBlocks(x, blocks);
  return { x, d };
}

/** Wrong suggestions over the two halves, and how many of them remain once the 5 % least confident are left out. */
async function floor(p: Pooled, which: number[], r = REDUCED_DIMS): Promise<{ wrong: number; rest: number }> {
  const { x, d } = joined(p, which);
  const features = await reduceDims(x, d, Math.min(r, d));
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
const last = await floor(p, [LAST], 128);
const name = (j: number) => (j < DEPTHS.length ? DEPTHS[j]! : `${DEPTHS[j - DEPTHS.length]} by quadrant`);
const line = (label: string, f: { wrong: number; rest: number }) =>
  `${label.padEnd(64)} ${String(f.wrong).padStart(4)} wrong of ${n} (${((100 * (n - f.wrong)) / n).toFixed(1)} % right), ${f.rest} among the surest 95 %; ${(last.wrong / f.wrong).toFixed(2)}x fewer than the last layer on 128`;
console.log(
  `MobileNetV2 1.0 at ${size} px, ${n} Fashion-MNIST images, assistant head trained on one half, judging the other:`,
);
console.log(line(`${DEPTHS[LAST]} on 128 components (the assistant before)`, last));
const rows: [number[], number][] = [
  ...DEPTHS.map((_, j): [number[], number] => [[j], REDUCED_DIMS]),
  [[Q(LAST)], REDUCED_DIMS],
  [[3, 4, LAST], REDUCED_DIMS],
  [DEPTHS.map((_, j) => j), REDUCED_DIMS],
  [[Q(3), Q(4), LAST], 128],
  [[Q(3), Q(4), LAST], REDUCED_DIMS],
  [[Q(3), Q(4), Q(LAST)], REDUCED_DIMS],
];
for (const [which, r] of rows) console.log(line(`${which.map(name).join(' + ')} on ${r}`, await floor(p, which, r)));
