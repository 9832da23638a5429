// What the assistant's readout costs per image against the pooled last layer a run's phase 1
// computes: the same backbone (MobileNetV2 1.0, the fixture's ImageNet weights, 224 px), the
// same batches of real Fashion-MNIST images, both through ONNX Runtime as the cache build runs
// them, interleaved round by round in one process.
//   npx tsx bench/readout-cost.ts [--images 64] [--rounds 5] [--batch 32]
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readIdx } from '../scripts/fashion-mnist';
import { selectBackend } from '../src-node-shared/backend';
import { findBackbone } from '../src-node-shared/backbones/registry';
import { BackboneService } from '../src-main/services/backbones/backbone-service';
import { loadBackbone } from '../src-training/backbones/load';
import { extractorRuntime, pooledExtractor, readoutExtractor, runExtractor } from '../src-training/data/features';
import { FIXTURES } from './assist-project';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '32' },
  },
});
const n = Number(values.images);
const batch = Number(values.batch);
const dir = mkdtempSync(join(tmpdir(), 'studio-readout-cost-'));
try {
  await selectBackend({ prefer: 'wasm' });
  await new BackboneService({ cacheDir: dir }).import({
    file: join(FIXTURES, 'mobilenet_v2_1.0_224_from_slim_no_top.h5'),
    id: 'mobilenet_v2',
  });
  const backbone = await loadBackbone(findBackbone('mobilenet_v2'), { inputSize: 224, modelCacheDir: dir });
  const set = readIdx('train');
  const batches: tf.Tensor4D[] = [];
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const grey = tf.tensor4d(set.pixels.slice(s * 784, (s + m) * 784), [m, 28, 28, 1]);
    batches.push(tf.image.resizeBilinear(tf.tile(grey, [1, 1, 1, 3]) as tf.Tensor4D, [224, 224]));
    grey.dispose();
  }
  const ways = { pooled: pooledExtractor(backbone, 'avg'), readout: readoutExtractor(backbone) };
  const best = { pooled: Infinity, readout: Infinity };
  for (const ex of Object.values(ways)) await runExtractor(ex, batches[0]!); // open both sessions first
  for (let r = 0; r < Number(values.rounds); r++)
    for (const [name, ex] of Object.entries(ways) as [keyof typeof ways, (typeof ways)['pooled']][]) {
      const t = performance.now();
      for (const b of batches) await runExtractor(ex, b);
      best[name] = Math.min(best[name], performance.now() - t);
    }
  const info = await extractorRuntime(ways.readout);
  const per = (ms: number) => `${(ms / n).toFixed(1)} ms an image`;
  console.log(
    `${n} images at 224 px on ${info?.runtime} (${info?.threads} threads), best of ${values.rounds} rounds: ` +
      `pooled last layer (${ways.pooled.shape[0]} values) ${per(best.pooled)}, ` +
      `readout (${ways.readout.shape[0]} values) ${per(best.readout)}: ${(best.readout / best.pooled).toFixed(2)}x the time`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
