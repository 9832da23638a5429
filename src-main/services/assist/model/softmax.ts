// Multinomial logistic regression with an L2 penalty, fitted by L-BFGS to convergence on
// standardised features. The fit reads each value twice per iteration (scores, then
// gradient), as two blocked products (matmul.ts), so its cost is 2 n d k multiply-adds.
// Parameters live in one Float64Array: k rows of d weights (one per class, so each score is
// a contiguous dot product, several times faster in V8 than strided access), then k biases.
import { lbfgs, type LbfgsOptions } from './lbfgs';
import { timesTransposed, transposedTimes } from './matmul';

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
  const m = rows.length;
  // Scores of every row in one blocked product; then the residuals (probability minus the
  // one-hot label), stored class by class so the gradient is one blocked product back.
  const residual = new Float64Array(m * k);
  timesTransposed(x, d, rows, theta, k, residual, 1, m);
  const z = new Float64Array(k);
  const bias = new Float64Array(k);
  let loss = 0;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < k; c++) z[c] = residual[c * m + r]! + theta[d * k + c]!;
    softmaxInPlace(z, k);
    const y = labels[r]!;
    loss -= Math.log(Math.max(z[y]!, 1e-300));
    z[y]! -= 1;
    for (let c = 0; c < k; c++) {
      residual[c * m + r] = z[c]!;
      bias[c]! += z[c]!;
    }
  }
  const g = new Float64Array(d * k);
  transposedTimes(x, d, rows, residual, m, k, g);
  const n = Math.max(1, m);
  let penalty = 0;
  for (let i = 0; i < d * k; i++) {
    penalty += theta[i]! * theta[i]!;
    grad[i] = g[i]! / n + lambda * theta[i]!;
  }
  for (let c = 0; c < k; c++) grad[d * k + c] = bias[c]! / n;
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

/** Probabilities of the given rows (all rows when left out), k per row: one blocked product, then the softmax. */
export function predictProbs(model: SoftmaxModel, features: Features, rows?: Int32Array): Float32Array {
  const { d, k, theta } = model;
  if (features.d !== d) throw new Error(`softmax predict: features have ${features.d} values, the model ${d}`);
  const which = rows ?? Int32Array.from({ length: features.x.length / d }, (_, i) => i);
  const scores = new Float64Array(which.length * k);
  timesTransposed(features.x, d, which, theta, k, scores, k, 1);
  const out = new Float32Array(which.length * k);
  const z = new Float64Array(k);
  for (let r = 0; r < which.length; r++) {
    for (let c = 0; c < k; c++) z[c] = scores[r * k + c]! + theta[d * k + c]!;
    softmaxInPlace(z, k);
    for (let c = 0; c < k; c++) out[r * k + c] = z[c]!;
  }
  return out;
}
