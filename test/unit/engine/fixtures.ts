// Small synthetic classification data for trainer tests: Gaussian clusters, one per class.
import { rng } from '../../../src-main/engine/random';
import type { EvalSet, TrainSet } from '../../../src-main/engine/batches';

export function clusters(n: number, classes: number, dim: number, seed: number, spread = 0.6): { values: Float32Array[]; labels: number[] } {
  const next = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const centres = Array.from({ length: classes }, (_, c) => Float32Array.from({ length: dim }, (_, d) => (d % classes === c ? 2 : 0)));
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
  return { shape: [dim], views: d.values.map((v) => [v]), labels: d.labels };
}

export function evalSet(n: number, classes: number, dim: number, seed: number): EvalSet {
  const d = clusters(n, classes, dim, seed);
  return { shape: [dim], values: d.values, labels: d.labels };
}

/** A clock that advances 10 ms per reading: epoch times become exact. */
export function fakeClock(): { now(): number } {
  let t = 0;
  return { now: () => (t += 10) };
}
