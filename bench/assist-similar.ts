// "More like this" on 200,000 images: exact nearest neighbours on the assistant's reduced
// features (REDUCED_DIMS values, as the feature store holds them), against the same search on
// the 2,304 values of MobileNetV2's readout before the reduction, on planted vectors in one process.
//   npx tsx bench/assist-similar.ts [--images 200000] [--queries 20]
import { parseArgs } from 'node:util';
import { gaussian } from '../src-main/services/assist/model/gaussian';
import { nearestRows } from '../src-main/services/assist/model/neighbours';
import { REDUCED_DIMS } from '../src-main/services/assist/model/reduce';

/** MobileNetV2's readout width. */
const READOUT = 2304;
import { seededRandom } from '../src-shared/random';

function vectors(n: number, d: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n * d }, () => gaussian(rand));
}

function times(x: Float32Array, d: number, queries: number): number[] {
  const n = x.length / d;
  const out: number[] = [];
  for (let q = 0; q < queries; q++) {
    const t = performance.now();
    nearestRows(x, d, Math.floor((q * n) / queries), 48);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

const { values } = parseArgs({
  options: { images: { type: 'string', default: '200000' }, queries: { type: 'string', default: '20' } },
});
const n = Number(values.images);
const queries = Number(values.queries);
const fmt = (ms: number[]) =>
  `median ${ms[Math.floor(ms.length / 2)]!.toFixed(0)} ms, slowest ${ms[ms.length - 1]!.toFixed(0)} ms`;
const reduced = times(vectors(n, REDUCED_DIMS, 1), REDUCED_DIMS, queries);
console.log(`${n} x ${REDUCED_DIMS} (reduced), 48 nearest, ${queries} queries: ${fmt(reduced)} (target < 200 ms)`);
const full = times(vectors(n, READOUT, 2), READOUT, Math.min(queries, 5));
console.log(
  `${n} x ${READOUT} (before the reduction): ${fmt(full)}: ${(full[Math.floor(full.length / 2)]! / reduced[Math.floor(reduced.length / 2)]!).toFixed(1)}x slower`,
);
