// bench/extract: frozen MobileNetV2 feature extraction, in one process, on each runtime:
// tfjs (every backend that loads here; wasm is the baseline) and ONNX Runtime with one
// thread and with every core, on the same batch; then bare sharp decode+resize of real
// image files, and the whole phase-1 cache build (decode overlapped with inference,
// features written to the cache) through ORT and through tfjs on those files. Prints the
// ratios against the targets and the fraction of the cores' FMA peak ORT reaches.
//   npx tsx bench/extract.ts [--size 224] [--batch 16] [--images 32] [--ortImages 64]
//                            [--write 2000] [--files 500] [--ortFiles 2000]
// --write real JPEG files are made (Fashion-MNIST, upscaled and tinted, by sharp) and all
// are decoded bare; the ORT cache build takes --ortFiles of them and the tfjs one --files
// (500 by default: tfjs-wasm needs about 3 minutes for 2,000 at 224 px).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { imagePixels, readIdx } from '../scripts/fashion-mnist';
import { selectBackend } from '../src-node-shared/backend';
import type { BackendName } from '../src-node-shared/backend';
import { loadBackbone } from '../src-training/backbones/load';
import type { Backbone } from '../src-training/backbones/load';
import { findBackbone } from '../src-node-shared/backbones/registry';
import { computeFeatures, extractorRuntime, pooledExtractor } from '../src-training/data/features';
import { relativeDifference } from '../src-training/frozen';
import { decodeRgb } from '../src-node-shared/data/images';
import { convertToOnnx } from '../src-training/onnx/tfjs-to-onnx';
import { openOnnx } from '../src-node-shared/onnx/runtime';
import { fmaPeak, modelMacs } from './macs';

const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '224' },
    batch: { type: 'string', default: '16' },
    images: { type: 'string', default: '32' },
    ortImages: { type: 'string', default: '64' },
    write: { type: 'string', default: '2000' },
    files: { type: 'string', default: '500' },
    ortFiles: { type: 'string', default: '2000' },
  },
});
const size = Number(opt.size);
const batch = Number(opt.batch);
const BACKBONE = 'nsfwjs_mobilenet_v2';

/** Images per second over whole batches after one warm-up batch. */
async function rate(images: number, runBatch: () => Promise<void>): Promise<number> {
  await runBatch();
  const batches = Math.ceil(images / batch);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await runBatch();
  return (batches * batch) / ((performance.now() - t0) / 1000);
}

async function tfjsRate(
  name: BackendName,
  pixels: Float32Array,
): Promise<{ rate: number; features: Float32Array } | string> {
  const choice = await selectBackend({ prefer: name });
  if (choice.name !== name)
    return `not available (${choice.rejected.find((r) => r.name === name)?.reason ?? 'skipped'})`;
  const backbone = await loadBackbone(findBackbone(BACKBONE), { inputSize: size });
  const model = pooledExtractor(backbone, 'avg').model;
  const x = tf.tensor4d(pixels, [batch, size, size, 3]);
  let features: Float32Array = new Float32Array();
  const r = await rate(Number(opt.images), async () => {
    const y = model.predict(x) as tf.Tensor;
    features = (await y.data()) as Float32Array;
    y.dispose();
  });
  x.dispose();
  backbone.features.dispose();
  return { rate: r, features };
}

/** Real files: Fashion-MNIST items upscaled to 320 px, tinted, as JPEG (kept between runs). */
async function writeImages(n: number): Promise<string[]> {
  const dir = join(tmpdir(), `fs-bench-extract-${n}`);
  if (existsSync(dir) && readdirSync(dir).length === n)
    return readdirSync(dir)
      .sort()
      .map((f) => join(dir, f));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const set = readIdx('train');
  for (let i = 0; i < n; i++) {
    const tint = { r: 80 + ((i * 53) % 176), g: 80 + ((i * 97) % 176), b: 80 + ((i * 31) % 176) };
    await sharp(imagePixels(set, i), { raw: { width: set.cols, height: set.rows, channels: 1 } })
      .resize(320, 320, { kernel: 'lanczos3' })
      .toColourspace('srgb')
      .tint(tint)
      .jpeg({ quality: 88 })
      .toFile(join(dir, `img-${String(i).padStart(5, '0')}.jpg`));
  }
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
}

/** The engine's own decode (EXIF, background, resize), `batch` files at a time as the cache build does. */
async function bareDecodeRate(files: string[]): Promise<number> {
  const t0 = performance.now();
  for (let at = 0; at < files.length; at += batch)
    await Promise.all(files.slice(at, at + batch).map((f) => decodeRgb(f, size)));
  return files.length / ((performance.now() - t0) / 1000);
}

async function cacheBuildRate(
  backbone: Backbone,
  files: string[],
  prefer: 'onnx' | 'tfjs',
): Promise<{ rate: number; runtime: string }> {
  const cacheDir = mkdtempSync(join(tmpdir(), `fs-bench-cache-${prefer}-`));
  const extractor = pooledExtractor(backbone, 'avg', { prefer });
  const items = files.map((source, i) => ({ hash: `bench${i}`, source }));
  // Opening the runner (export, ORT session, probe check) is paid once per run: not timed.
  await computeFeatures({
    items: items.slice(0, batch),
    split: 'val',
    backbone,
    extractor,
    cacheDir: mkdtempSync(join(tmpdir(), 'fs-bench-warm-')),
    batchSize: batch,
  });
  const t0 = performance.now();
  await computeFeatures({ items, split: 'val', backbone, extractor, cacheDir, batchSize: batch });
  const secs = (performance.now() - t0) / 1000;
  const info = await extractorRuntime(extractor);
  rmSync(cacheDir, { recursive: true, force: true });
  return { rate: files.length / secs, runtime: info ? `${info.runtime}, ${info.threads} thread(s)` : 'cache' };
}

const line = (name: string, r: number, extra = '') =>
  console.log(`${name.padEnd(34)} ${r.toFixed(1).padStart(7)} images/s${extra}`);

async function main(): Promise<void> {
  const cores = availableParallelism();
  console.log(`MobileNetV2 1.0 (${BACKBONE}) at ${size} px, batch ${batch}, ${cores} cores, pooled 1280-d features`);
  // Deterministic values in nsfwjs' preprocessed range [0, 1].
  const pixels = Float32Array.from({ length: batch * size * size * 3 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37));

  console.log('\n1. Extraction, same batch over and over');
  const tfjs: Partial<Record<BackendName, number>> = {};
  let reference: Float32Array = new Float32Array();
  for (const name of ['tensorflow-gpu', 'tensorflow', 'wasm'] as const) {
    const r = await tfjsRate(name, pixels);
    if (typeof r === 'string') console.log(`${`tfjs ${name}`.padEnd(34)} ${r}`);
    else {
      tfjs[name] = r.rate;
      reference = r.features;
      line(`tfjs ${name}`, r.rate);
    }
  }
  const wasm = tfjs.wasm!;
  await selectBackend({ prefer: 'wasm' });
  const backbone = await loadBackbone(findBackbone(BACKBONE), { inputSize: size });
  const model = pooledExtractor(backbone, 'avg').model;
  const bytes = convertToOnnx(model, { name: 'mobilenet_v2_pooled' });
  const ort: Record<number, number> = {};
  for (const threads of [...new Set([1, cores])]) {
    const session = await openOnnx(bytes, { threads });
    const d = relativeDifference(reference, await session.run(pixels, [batch, size, size, 3]));
    ort[threads] = await rate(
      Number(opt.ortImages),
      async () => void (await session.run(pixels, [batch, size, size, 3])),
    );
    line(
      `ORT cpu, ${threads} thread(s)`,
      ort[threads]!,
      `   x${(ort[threads]! / wasm).toFixed(2)} tfjs-wasm   (vs tfjs: ${d.toExponential(1)} relative)`,
    );
    await session.dispose();
  }
  const best = ort[cores]!;

  const all = await writeImages(Number(opt.write));
  console.log(
    `\n2. Real files: ${all.length} JPEGs (320 px, Fashion-MNIST upscaled and tinted) in ${join(tmpdir(), `fs-bench-extract-${all.length}`)}`,
  );
  const decode = await bareDecodeRate(all);
  line(`bare sharp decode+resize (${all.length})`, decode);
  const ortFiles = all.slice(0, Number(opt.ortFiles));
  const tfFiles = all.slice(0, Number(opt.files));
  const cacheOrt = await cacheBuildRate(backbone, ortFiles, 'onnx');
  line(`cache build, ORT (${ortFiles.length} files)`, cacheOrt.rate, `   ${cacheOrt.runtime}`);
  const cacheTf = await cacheBuildRate(backbone, tfFiles, 'tfjs');
  line(`cache build, tfjs (${tfFiles.length} files)`, cacheTf.rate, `   ${cacheTf.runtime}`);

  const macs = modelMacs(model);
  const peak = fmaPeak();
  console.log('\n3. Against the targets and the machine');
  console.log(`ORT (${cores} threads) / tfjs-wasm, extraction:   x${(best / wasm).toFixed(2)}   (target >= 5)`);
  console.log(`ORT cache build / bare decode:           ${(cacheOrt.rate / decode).toFixed(2)}   (target >= 0.7)`);
  const slower = Math.min(decode, best);
  console.log(
    `ORT cache build / slower of decode and ORT: ${(cacheOrt.rate / slower).toFixed(2)}   (1.0: decoding fully hidden behind inference, or the reverse)`,
  );
  console.log(`ORT cache build / tfjs cache build:      x${(cacheOrt.rate / cacheTf.rate).toFixed(2)}`);
  console.log(`MACs per image (conv, depthwise, dense): ${(macs / 1e6).toFixed(1)} M`);
  console.log(`peak: ${(peak.macsPerSecond / 1e9).toFixed(1)} GMAC/s; ${peak.assumptions}`);
  for (const [threads, r] of Object.entries(ort)) {
    const cores_ = Number(threads);
    console.log(
      `ORT ${threads} thread(s): ${((macs * r) / 1e9).toFixed(1)} GMAC/s = ${((100 * macs * r) / ((peak.macsPerSecond / peak.cores) * cores_)).toFixed(1)} % of ${cores_} core(s)' peak`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
