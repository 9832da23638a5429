// Small synthetic classification data for trainer tests: Gaussian clusters, one per class.
import { seededRandom } from '../../../src-shared/random';
import { BlockRows } from '../../../src-training/data/batches';
import type { EvalSet, TrainSet } from '../../../src-training/data/batches';

export function clusters(
  n: number,
  classes: number,
  dim: number,
  seed: number,
  spread = 0.6,
): { values: Float32Array[]; labels: number[] } {
  const next = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const centres = Array.from({ length: classes }, (_, c) =>
    Float32Array.from({ length: dim }, (_, d) => (d % classes === c ? 2 : 0)),
  );
  const values: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    values.push(Float32Array.from(centres[c]!, (m) => m + spread * gauss()));
    labels.push(c);
  }
  return { values, labels };
}

export function trainSet(n: number, classes: number, dim: number, seed: number): TrainSet {
  const d = clusters(n, classes, dim, seed);
  return {
    rows: BlockRows.of(
      [dim],
      d.values.map((v) => [v]),
    ),
    labels: d.labels,
  };
}

/** The same labelled rows as trainSet: both sets are LabeledRows; the names say which side a test feeds. */
export function evalSet(n: number, classes: number, dim: number, seed: number): EvalSet {
  return trainSet(n, classes, dim, seed);
}

/** A clock that advances 10 ms per reading: epoch times become exact. */
export function fakeClock(): { now(): number } {
  let t = 0;
  return { now: () => (t += 10) };
}

/** Deterministic pseudo-random values in [-0.5, 0.5), so two backends see identical inputs. */
export function lcgValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 2147483648 - 0.5;
  }
  return out;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
