// The assistant's refresh after a label change, before and after the reduction, on the
// same data in one process:
// - time on 10,000 images with 2,304 features (MobileNetV2's readout), planted in 10
//   classes: the old path fits every value and chooses the L2 strength again at every
//   refresh (4 strengths x 5 folds); the new one works on 256 principal components (fitted
//   once per set of images, timed apart) and keeps the strength while the labeled set
//   changes little, every fit warm-started from the last;
// - accuracy on real Fashion-MNIST features (bench/assist-features.ts): cross-validated on
//   the labeled images, and on every unlabeled one against its true class.
//   npx tsx bench/assist-refresh.ts [--images 10000] [--no-fashion]
import { parseArgs } from 'node:util';
import { keptStrength, top2, trainAssistant, type Strength } from '../src-main/services/assist/model/assistant';
import { gaussian } from '../src-main/services/assist/model/gaussian';
import { REDUCED_DIMS, reduceDims } from '../src-main/services/assist/model/reduce';
import type { Features } from '../src-main/services/assist/model/softmax';
import { standardize } from '../src-main/services/assist/model/standardize';
import { wilsonInterval } from '../src-shared/engine-metrics';
import { seededRandom } from '../src-shared/random';
import { fashionFeatures } from './assist-features';

export function planted(n: number, d: number, k: number): { x: Float32Array; truth: Int32Array } {
  const rand = seededRandom(3);
  const centres = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => 0.15 * gaussian(rand)));
  const x = new Float32Array(n * d);
  const truth = Int32Array.from({ length: n }, (_, i) => i % k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) x[i * d + j] = Math.max(0, centres[truth[i]!]![j]! + gaussian(rand));
  return { x: standardize(x, d), truth };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A first training, then the refresh after one more label, as the service runs them; each on its own path. */
async function refreshPair(
  features: Features,
  truth: Int32Array,
  labeled: number,
  k: number,
  keep: boolean,
): Promise<{ first: number; refresh: number }> {
  const labels = Int32Array.from(truth, (y, i) => (i < labeled ? y : -1));
  let t = performance.now();
  const out = await trainAssistant({ features, labels, k, seed: 1 });
  const first = performance.now() - t;
  const strength: Strength = { lambda: out.cv.lambda, labeled, classes: 'k' };
  labels[labeled] = truth[labeled]!;
  t = performance.now();
  const lambda = keep ? keptStrength(strength, labeled + 1, 'k') : undefined;
  await trainAssistant({ features, labels, k, seed: 1, warm: out.model.theta, lambda });
  return { first, refresh: performance.now() - t };
}

export async function refreshTimes(n: number, d = 2304, k = 10): Promise<string[]> {
  const { x, truth } = planted(n, d, k);
  const lines = [`refresh on ${n} images x ${d} planted features, ${k} classes (target < 2 s):`];
  const t = performance.now();
  const reduced = await reduceDims(x, d, REDUCED_DIMS);
  lines.push(`  PCA to ${reduced.d} (once per set of images, not per refresh): ${secs(performance.now() - t)}`);
  for (const labeled of [200, 1000]) {
    const old = await refreshPair({ x, d }, truth, labeled, k, false);
    const now = await refreshPair(reduced, truth, labeled, k, true);
    lines.push(
      `  ${labeled} labeled: old ${secs(old.first)} first, ${secs(old.refresh)} after one more label; ` +
        `new ${secs(now.first)} first, ${secs(now.refresh)} after one more label: ${(old.refresh / now.refresh).toFixed(1)}x`,
    );
  }
  return lines;
}

const pct = (c: number, n: number) => {
  const { low, high } = wilsonInterval(c, n);
  return `${((100 * c) / n).toFixed(1)} % (${(100 * low).toFixed(1)}-${(100 * high).toFixed(1)})`;
};

/** Cross-validated and held-out accuracy, full features against the reduced ones, at a few label counts. */
export async function accuracyCompare(features: Features, truth: Int32Array, k: number): Promise<string[]> {
  const n = truth.length;
  const reduced = await reduceDims(features.x, features.d, REDUCED_DIMS);
  const lines = [`accuracy on ${n} Fashion-MNIST images, ${features.d} features against ${reduced.d} (95 % Wilson):`];
  for (const labeled of [100, 500, 1500]) {
    const labels = Int32Array.from(truth, (y, i) => (i < labeled ? y : -1));
    const cells: string[] = [];
    for (const f of [features, reduced]) {
      const t = performance.now();
      const out = await trainAssistant({ features: f, labels, k, seed: 1 });
      let right = 0;
      for (let i = labeled; i < n; i++) if (top2(out.probs, i, k).best === truth[i]) right++;
      cells.push(
        `${f.d}: cross-validated ${pct(out.cv.correct, out.cv.n)}, on the ${n - labeled} unlabeled ${pct(right, n - labeled)} in ${secs(performance.now() - t)}`,
      );
    }
    lines.push(`  ${labeled} labeled: ${cells.join('; ')}`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '10000' },
      fashion: { type: 'boolean', default: true },
      'no-fashion': { type: 'boolean', default: false },
      dir: { type: 'string', default: '/tmp/studio-assist-fm' },
    },
  });
  for (const line of await refreshTimes(Number(values.images))) console.log(line);
  if (!values['no-fashion']) {
    const f = await fashionFeatures({ dir: values.dir, images: 3000, backboneId: 'mobilenet_v2', size: 96 });
    for (const line of await accuracyCompare({ x: f.x, d: f.d }, f.truth, f.k)) console.log(line);
  }
}
