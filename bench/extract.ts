// bench/extract: MobileNetV2 feature-extraction throughput (images/s) on each backend
// that loads here, on the same random 224 px images. Usage:
//   npx tsx bench/extract.ts [--images 32] [--size 224] [--batch 16]
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src-main/engine/backend';
import type { BackendName } from '../src-main/engine/backend';
import { findBackbone } from '../src-main/engine/backbones/registry';
import { extractFeatures, loadBackbone } from '../src-main/engine/backbones/load';

const { values: opt } = parseArgs({
  options: { images: { type: 'string', default: '32' }, size: { type: 'string', default: '224' }, batch: { type: 'string', default: '16' }, cpuImages: { type: 'string', default: '4' } },
});

async function throughput(name: BackendName, images: number): Promise<number | string> {
  const choice = await selectBackend({ prefer: name });
  if (choice.name !== name) return `not available (${choice.rejected.find((r) => r.name === name)?.reason ?? 'skipped'})`;
  const size = Number(opt.size);
  const batch = Math.min(Number(opt.batch), images);
  const backbone = await loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: size });
  const px = tf.randomUniform([batch, size, size, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  extractFeatures(backbone, px).dispose(); // warm-up: kernels and memory
  const t0 = performance.now();
  for (let done = 0; done < images; done += batch) {
    const f = extractFeatures(backbone, px);
    await f.data();
    f.dispose();
  }
  const secs = (performance.now() - t0) / 1000;
  px.dispose();
  backbone.features.dispose();
  return Math.ceil(images / batch) * batch / secs;
}

async function main(): Promise<void> {
  console.log(`MobileNetV2 ${opt.size}px, batch ${opt.batch}`);
  for (const name of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const) {
    // The pure-JS cpu backend is 20-25x slower: fewer images keep the bench short.
    const r = await throughput(name, name === 'cpu' ? Number(opt.cpuImages) : Number(opt.images));
    console.log(`${name.padEnd(15)} ${typeof r === 'number' ? `${r.toFixed(1)} images/s` : r}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
