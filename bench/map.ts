// The embedding map's projection (PCA to 50, UMAP on a sample, the rest placed by their
// nearest sample points) against umap-js run as its own README shows (its own neighbour
// search on the raw features, every point laid out), on planted clusters with MobileNetV2's
// pooled size (1,280). Both run on the same small set for the ratio; then ours on 50,000.
// Quality: the share of each point's 10 nearest 2D neighbours in its own planted cluster.
// Times are wall and user CPU: on a shared machine the CPU time is the figure that holds.
//   npx tsx bench/map.ts [--n 50000] [--small 3000] [--d 1280]   (--n 0: the comparison only)
import { parseArgs } from 'node:util';
import { UMAP } from 'umap-js';
import { projectRows } from '../src-main/services/map/model/project';
import { standardize } from '../src-main/services/assist/model/standardize';
import { seededRandom } from '../src-shared/random';

/** Clusters on a low-rank manifold with noise in every dimension, ReLU'd like pooled features. */
function planted(n: number, d: number, k: number, seed: number): { x: Float32Array; truth: Int32Array } {
  const rand = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => 0.6 * g()));
  const x = new Float32Array(n * d);
  const truth = Int32Array.from({ length: n }, (_, i) => i % k);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = Math.max(0, centres[truth[i]!]![j]! + g());
  return { x: standardize(x, d), truth };
}

/** Mean share of each point's 10 nearest 2D neighbours (among up to 2,000 probes) in its own cluster. */
function purity(xy: Float32Array | number[][], truth: Int32Array): number {
  const at = (i: number, c: number) => (Array.isArray(xy) ? xy[i]![c]! : xy[i * 2 + c]!);
  const n = truth.length;
  const probes = Math.min(n, 2000);
  let sum = 0;
  for (let p = 0; p < probes; p++) {
    const i = Math.floor((p * n) / probes);
    const best: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dd = (at(i, 0) - at(j, 0)) ** 2 + (at(i, 1) - at(j, 1)) ** 2;
      if (best.length < 10 || dd < best[9]![0]) {
        best.push([dd, j]);
        best.sort((a, b) => a[0] - b[0]);
        if (best.length > 10) best.pop();
      }
    }
    sum += best.filter(([, j]) => truth[j] === truth[i]).length / 10;
  }
  return sum / probes;
}

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '50000' },
    small: { type: 'string', default: '3000' },
    d: { type: 'string', default: '1280' },
  },
});
const d = Number(values.d);
const k = 20;

if (Number(values.small) > 0) {
  const small = planted(Number(values.small), d, k, 7);
  let t = performance.now();
  let cpu0 = process.cpuUsage();
  const rows = Array.from({ length: small.truth.length }, (_, i) => Array.from(small.x.subarray(i * d, (i + 1) * d)));
  const base = new UMAP({ nComponents: 2, nNeighbors: 15, minDist: 0.1, nEpochs: 200, random: seededRandom(2) }).fit(
    rows,
  );
  const baseS = (performance.now() - t) / 1000;
  const baseCpu = process.cpuUsage(cpu0).user / 1e6;
  t = performance.now();
  cpu0 = process.cpuUsage();
  const ours = await projectRows(small.x, d, { seed: 1 });
  const oursS = (performance.now() - t) / 1000;
  const oursCpu = process.cpuUsage(cpu0).user / 1e6;
  console.log(
    `${small.truth.length} x ${d}, 200 epochs each: umap-js alone ${baseS.toFixed(1)} s, cpu ${baseCpu.toFixed(1)} s (purity ${purity(base, small.truth).toFixed(3)}); ` +
      `PCA 50 + exact kNN + umap-js ${oursS.toFixed(1)} s, cpu ${oursCpu.toFixed(1)} s (purity ${purity(ours.xy, small.truth).toFixed(3)}): ${(baseCpu / oursCpu).toFixed(1)}x less cpu`,
  );
}

if (Number(values.n) === 0) process.exit(0);
const big = planted(Number(values.n), d, k, 11);
const stages = new Map<string, number>();
let stage = '';
let since = performance.now();
let cpu = process.cpuUsage();
const cpuStages = new Map<string, number>();
const t = performance.now();
const out = await projectRows(big.x, d, {
  seed: 1,
  onProgress: (s) => {
    if (s === stage) return;
    if (stage) stages.set(stage, (performance.now() - since) / 1000);
    cpuStages.set(stage, process.cpuUsage(cpu).user / 1e6);
    if (stage) cpuStages.set(stage, process.cpuUsage(cpu).user / 1e6);
    stage = s;
    since = performance.now();
    cpu = process.cpuUsage();
  },
});
stages.set(stage, (performance.now() - since) / 1000);
cpuStages.set(stage, process.cpuUsage(cpu).user / 1e6);
const totalS = (performance.now() - t) / 1000;
const split = [...stages].map(([s, v]) => `${s} ${v.toFixed(1)} s (cpu ${cpuStages.get(s)!.toFixed(1)} s)`).join(', ');
console.log(
  `${big.truth.length} x ${d}: ${totalS.toFixed(1)} s (${split}); ${out.fitted} laid out by UMAP, ` +
    `${big.truth.length - out.fitted} placed; purity ${purity(out.xy, big.truth).toFixed(3)} (target < 120 s)`,
);
