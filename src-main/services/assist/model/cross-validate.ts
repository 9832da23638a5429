// The L2 strength by k-fold cross-validation on the labeled images: each candidate, from
// the strongest down, is fitted on k-1 folds (warm-started from the stronger candidate's
// fit of the same fold) and scored on the held-out fold by log-loss, smoother than
// accuracy on a few dozen images. The chosen strength's held-out probabilities are
// out-of-fold predictions: the label-error ranking reads them.
import { seededRandom } from '../../../../src-shared/random';
import { fitSoftmax, predictProbs, type Features } from './softmax';

export const LAMBDAS = [1, 0.1, 0.01, 0.001] as const;

export interface CvInput {
  features: Features;
  rows: Int32Array;
  labels: Int32Array;
  k: number;
  folds: number;
  seed: number;
  lambdas?: readonly number[];
  /** Where every fold's first fit starts: the last full fit, close to each fold's optimum when labels changed little. */
  init?: Float64Array;
  /** Iterations per fold fit: the choice needs the ranking of candidates, not their last digits. */
  maxIterations?: number;
  signal?: AbortSignal;
  /** After each fold fit: fits done, and of how many. */
  onFit?: (done: number, total: number) => void;
}

export interface CvResult {
  lambda: number;
  /** Held-out images the chosen strength classified right, of `n`. */
  correct: number;
  n: number;
  logLoss: number;
  /** Per candidate, for the record. */
  scores: { lambda: number; logLoss: number; accuracy: number }[];
  /** Out-of-fold probabilities at the chosen strength, k per entry of `rows`. */
  oof: Float32Array;
}

/** Stratified folds: each class's rows shuffled by the seed, then dealt round-robin. */
export function stratifiedFolds(labels: Int32Array, k: number, folds: number, seed: number): Int32Array {
  const rand = seededRandom(seed);
  const fold = new Int32Array(labels.length);
  let dealt = 0;
  for (let c = 0; c < k; c++) {
    const idx: number[] = [];
    labels.forEach((y, i) => y === c && idx.push(i));
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    // Continuing the deal across classes keeps the folds' sizes within one of each other.
    for (const i of idx) fold[i] = dealt++ % folds;
  }
  return fold;
}

function part(
  input: CvInput,
  fold: Int32Array,
  f: number,
  held: boolean,
): { rows: Int32Array; labels: Int32Array; at: number[] } {
  const at: number[] = [];
  fold.forEach((g, i) => (g === f) === held && at.push(i));
  return { rows: Int32Array.from(at, (i) => input.rows[i]!), labels: Int32Array.from(at, (i) => input.labels[i]!), at };
}

export async function crossValidate(input: CvInput): Promise<CvResult> {
  const { k, features } = input;
  const lambdas = input.lambdas ?? LAMBDAS;
  const fold = stratifiedFolds(input.labels, k, input.folds, input.seed);
  const warm: (Float64Array | undefined)[] = Array.from({ length: input.folds }, () => input.init);
  const oofs = lambdas.map(() => new Float32Array(input.rows.length * k));
  const scores = lambdas.map((lambda) => ({ lambda, logLoss: 0, accuracy: 0 }));
  for (let f = 0; f < input.folds; f++) {
    const train = part(input, fold, f, false);
    const test = part(input, fold, f, true);
    for (let l = 0; l < lambdas.length; l++) {
      const model = await fitSoftmax(
        { features, rows: train.rows, labels: train.labels, k, lambda: lambdas[l]!, init: warm[f] },
        { maxIterations: input.maxIterations ?? 60, signal: input.signal, gradientTolerance: 1e-4 },
      );
      warm[f] = model.theta;
      input.onFit?.(f * lambdas.length + l + 1, input.folds * lambdas.length);
      const probs = predictProbs(model, features, test.rows);
      test.at.forEach((i, r) => oofs[l]!.set(probs.subarray(r * k, (r + 1) * k), i * k));
    }
  }
  lambdas.forEach((_, l) => Object.assign(scores[l]!, score(oofs[l]!, input.labels, k)));
  let best = 0;
  scores.forEach((s, l) => s.logLoss < scores[best]!.logLoss && (best = l));
  const n = input.labels.length;
  return {
    lambda: lambdas[best]!,
    correct: Math.round(scores[best]!.accuracy * n),
    n,
    logLoss: scores[best]!.logLoss,
    scores,
    oof: oofs[best]!,
  };
}

function score(probs: Float32Array, labels: Int32Array, k: number): { logLoss: number; accuracy: number } {
  let loss = 0;
  let right = 0;
  labels.forEach((y, i) => {
    const row = probs.subarray(i * k, (i + 1) * k);
    loss -= Math.log(Math.max(row[y]!, 1e-12));
    let arg = 0;
    for (let c = 1; c < k; c++) if (row[c]! > row[arg]!) arg = c;
    if (arg === y) right++;
  });
  return { logLoss: loss / Math.max(1, labels.length), accuracy: right / Math.max(1, labels.length) };
}
