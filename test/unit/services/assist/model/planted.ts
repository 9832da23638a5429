// Planted classes for the assistant's unit tests: Gaussian clusters around seeded centres.
import { seededRandom } from '../../../../../src-shared/random';

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** n rows of d values in k classes (row i is class i % k); `spread` is the noise around each centre. */
export function planted(
  n: number,
  d: number,
  k: number,
  spread: number,
  seed = 1,
): { x: Float32Array; labels: Int32Array } {
  const rand = seededRandom(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => gaussian(rand)));
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % k;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[i % k]![j]! + spread * gaussian(rand);
  }
  return { x, labels };
}

export const allRows = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
