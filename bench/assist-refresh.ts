// The assistant's refresh on 10,000 cached images with 1280 features (MobileNetV2's pooled
// size), planted in 10 classes: cross-validation, the fit and predicting every image, as
// the service runs them after a label change. Planted values, since 10,000 real 1280-d
// features take longer to extract here than the bench should.
import { trainAssistant } from '../src-main/services/assist/model/assistant';
import { fitSoftmax } from '../src-main/services/assist/model/softmax';
import { standardize } from '../src-main/services/assist/model/standardize';
import { seededRandom } from '../src-shared/random';

function planted(n: number, d: number, k: number): { x: Float32Array; truth: Int32Array } {
  const rand = seededRandom(3);
  const g = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => 0.15 * g()));
  const x = new Float32Array(n * d);
  const truth = Int32Array.from({ length: n }, (_, i) => i % k);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = Math.max(0, centres[truth[i]!]![j]! + g());
  return { x: standardize(x, d), truth };
}

const seconds = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;

export async function refreshTimes(n = 10_000, d = 1280, k = 10): Promise<string> {
  const { x, truth } = planted(n, d, k);
  const features = { x, d };
  const lines: string[] = [];
  for (const labeled of [200, 1000]) {
    const labels = Int32Array.from(truth, (y, i) => (i < labeled ? y : -1));
    const t = performance.now();
    const out = await trainAssistant({ features, labels, k, seed: 1 });
    const warm = performance.now();
    labels[labeled] = truth[labeled]!;
    // What the service runs after a label change: cross-validation again, the fit warm-started.
    await trainAssistant({ features, labels, k, seed: 1, warm: out.model.theta });
    lines.push(
      `refresh, ${n} images x ${d}, ${labeled} labeled: first ${((warm - t) / 1000).toFixed(2)} s, after one more label ${seconds(warm)} (target < 2 s)`,
    );
  }
  const t = performance.now();
  const all = await fitSoftmax({
    features,
    rows: Int32Array.from({ length: n }, (_, i) => i),
    labels: truth,
    k,
    lambda: 0.01,
  });
  lines.push(`one fit on all ${n} x ${d} labeled: ${seconds(t)}, ${all.iterations} L-BFGS iterations (target < 2 s)`);
  return lines.join('\n');
}
