// The active-learning queue: of the unlabeled images, the most uncertain (smallest margin
// between the top two classes) form a pool, and k-center greedy picks from it the image
// farthest from everything picked so far, so ten near-identical uncertain images do not
// all come first (Sener & Savarese, 2018, on a pool narrowed by uncertainty).
import type { Features } from './softmax';

export interface QueueInput {
  features: Features;
  /** Feature rows of the unlabeled images, and each one's margin (top-1 minus top-2 probability). */
  rows: Int32Array;
  margins: Float32Array;
  /** How many to order. */
  count: number;
  /** The pool is this many times `count`, of the most uncertain. */
  poolFactor?: number;
}

function distance2(x: Float32Array, d: number, a: number, b: number): number {
  let s = 0;
  const oa = a * d;
  const ob = b * d;
  for (let j = 0; j < d; j++) {
    const t = x[oa + j]! - x[ob + j]!;
    s += t * t;
  }
  return s;
}

/** Indices into `rows`, in the order to label them. */
export function labelQueue(input: QueueInput): number[] {
  const {
    features: { x, d },
    rows,
    margins,
  } = input;
  const order = Array.from(rows, (_, i) => i).sort((a, b) => margins[a]! - margins[b]! || a - b);
  const pool = order.slice(0, Math.min(order.length, input.count * (input.poolFactor ?? 4)));
  if (pool.length === 0) return [];
  const picked = [pool[0]!];
  const nearest = pool.map((p) => distance2(x, d, rows[p]!, rows[pool[0]!]!));
  while (picked.length < Math.min(input.count, pool.length)) {
    let best = -1;
    for (let i = 0; i < pool.length; i++) if (nearest[i]! > 0 && (best < 0 || nearest[i]! > nearest[best]!)) best = i;
    // Only exact duplicates of what is picked are left: take them by uncertainty.
    if (best < 0) best = pool.findIndex((p) => !picked.includes(p));
    const p = pool[best]!;
    picked.push(p);
    nearest[best] = 0;
    pool.forEach(
      (q, i) => nearest[i]! > 0 && (nearest[i] = Math.min(nearest[i]!, distance2(x, d, rows[q]!, rows[p]!))),
    );
  }
  return picked;
}
