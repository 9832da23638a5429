// bench/extract-ort: the frozen backbone on ONNX Runtime against tfjs-wasm, in one
// process, on the same random images: MobileNetV2 1.0 built from code (random weights),
// exported to ONNX, checked against tfjs, then timed. Usage:
//   npx tsx bench/extract-ort.ts [--size 224] [--batch 16] [--images 32] [--ortImages 64]
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src-main/engine/backend';
import { mobilenetV2 } from '../src-main/engine/backbones/arch/mobilenet-v2';
import { exportToOnnx } from '../src-main/engine/onnx/export';
import { openOnnx } from '../src-main/engine/onnx/runtime';

const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '224' },
    batch: { type: 'string', default: '16' },
    images: { type: 'string', default: '32' },
    ortImages: { type: 'string', default: '64' },
  },
});
const size = Number(opt.size);
const batch = Number(opt.batch);
const shape = [batch, size, size, 3];

/** Images per second over whole batches after one warm-up batch. */
async function rate(images: number, runBatch: () => Promise<void>): Promise<number> {
  await runBatch();
  const batches = Math.ceil(images / batch);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await runBatch();
  return (batches * batch) / ((performance.now() - t0) / 1000);
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  return diff / scale;
}

async function main(): Promise<void> {
  const backend = await selectBackend({ prefer: 'wasm' });
  const model = mobilenetV2.build({ inputSize: size, alpha: 1.0 });
  const pixels = tf.randomUniform(shape, -1, 1, 'float32', 1);
  const input = pixels.dataSync() as Float32Array;
  console.log(`MobileNetV2 1.0 ${size}px, batch ${batch}, ${availableParallelism()} cores, tfjs on ${backend.name}`);

  let features: ArrayLike<number> = [];
  const wasm = await rate(Number(opt.images), async () => {
    const y = model.predict(pixels) as tf.Tensor;
    features = await y.data();
    y.dispose();
  });

  const t0 = performance.now();
  const bytes = exportToOnnx(model, { name: 'mobilenet_v2' });
  console.log(`export: ${(performance.now() - t0).toFixed(0)} ms, ${(bytes.length / 1e6).toFixed(1)} MB`);
  const results: Array<[string, number]> = [[`tfjs ${backend.name}`, wasm]];
  for (const threads of [1, availableParallelism()]) {
    const session = await openOnnx(bytes, { threads });
    const got = await session.run(input, shape);
    console.log(`ORT ${threads} thread(s) vs tfjs: max relative difference ${maxRelDiff(features, got).toExponential(2)}`);
    results.push([`ORT cpu, ${threads} thread(s)`, await rate(Number(opt.ortImages), async () => void (await session.run(input, shape)))]);
    await session.dispose();
  }
  for (const [name, r] of results) console.log(`${name.padEnd(24)} ${r.toFixed(1)} images/s   x${(r / wasm).toFixed(2)} vs tfjs ${backend.name}`);
  pixels.dispose();
  model.dispose();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
