// Multinomial logistic regression with an L2 penalty, fitted by L-BFGS to convergence on
// standardised features. Plain loops over Float32Array rows: the fit reads each value
// twice per iteration (scores, then gradient), so its cost is 2 n d k multiply-adds.
// Parameters live in one Float64Array: k rows of d weights (one per class, so each score is
// a contiguous dot product, several times faster in V8 than strided access), then k biases.
import { lbfgs, type LbfgsOptions } from './lbfgs';

export interface Features {
  /** n rows of d values, row-major. */
  x: Float32Array;
  d: number;
}

export interface FitInput {
  features: Features;
  /** Which rows take part, and the class (0..k-1) of each. */
  rows: Int32Array;
  labels: Int32Array;
  k: number;
  /** L2 strength on the weights (not the biases), against the mean cross-entropy. */
  lambda: number;
  /** A previous solution of the same shape: refits after a small label change start there. */
  init?: Float64Array;
}

export interface SoftmaxModel {
  d: number;
  k: number;
  theta: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Class scores of one row into `z` (biases first, then the weighted sum). */
function scores(x: Float32Array, off: number, d: number, k: number, theta: Float64Array, z: Float64Array): void {
  for (let c = 0; c < k; c++) {
    const w = c * d;
    let s = theta[d * k + c]!;
    for (let j = 0; j < d; j++) s += x[off + j]! * theta[w + j]!;
    z[c] = s;
  }
}

/** In place: scores -> probabilities, with the max subtracted first so exp never overflows. */
function softmaxInPlace(z: Float64Array, k: number): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, z[c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += z[c] = Math.exp(z[c]! - max);
  for (let c = 0; c < k; c++) z[c]! /= sum;
}

/** Mean cross-entropy + lambda/2 |W|^2, and its gradient into `grad`. */
export function lossAndGradient(input: FitInput, theta: Float64Array, grad: Float64Array): number {
  const {
    features: { x, d },
    rows,
    labels,
    k,
    lambda,
  } = input;
  grad.fill(0);
  const z = new Float64Array(k);
  let loss = 0;
  for (let r = 0; r < rows.length; r++) {
    const off = rows[r]! * d;
    scores(x, off, d, k, theta, z);
    softmaxInPlace(z, k);
    const y = labels[r]!;
    loss -= Math.log(Math.max(z[y]!, 1e-300));
    z[y]! -= 1;
    for (let c = 0; c < k; c++) {
      const r = z[c]!;
      const w = c * d;
      for (let j = 0; j < d; j++) grad[w + j]! += r * x[off + j]!;
      grad[d * k + c]! += r;
    }
  }
  const n = Math.max(1, rows.length);
  let penalty = 0;
  for (let i = 0; i < grad.length; i++) grad[i]! /= n;
  for (let i = 0; i < d * k; i++) {
    penalty += theta[i]! * theta[i]!;
    grad[i]! += lambda * theta[i]!;
  }
  return loss / n + (lambda / 2) * penalty;
}

export async function fitSoftmax(input: FitInput, opts: LbfgsOptions = {}): Promise<SoftmaxModel> {
  const {
    features: { d },
    k,
  } = input;
  const size = (d + 1) * k;
  if (input.init && input.init.length !== size)
    throw new Error(`softmax fit: a warm start of ${input.init.length} values for ${size} parameters`);
  const theta = input.init ? Float64Array.from(input.init) : new Float64Array(size);
  const out = await lbfgs((t, g) => lossAndGradient(input, t, g), theta, opts);
  return { d, k, theta, iterations: out.iterations, converged: out.converged };
}

/** Probabilities of the given rows (all rows when left out), k per row. */
export function predictProbs(model: SoftmaxModel, features: Features, rows?: Int32Array): Float32Array {
  const { d, k, theta } = model;
  if (features.d !== d) throw new Error(`softmax predict: features have ${features.d} values, the model ${d}`);
  const n = rows ? rows.length : features.x.length / d;
  const out = new Float32Array(n * k);
  const z = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    scores(features.x, (rows ? rows[r]! : r) * d, d, k, theta, z);
    softmaxInPlace(z, k);
    for (let c = 0; c < k; c++) out[r * k + c] = z[c]!;
  }
  return out;
}
