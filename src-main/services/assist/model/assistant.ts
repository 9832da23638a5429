// One training of the assistant: choose the L2 strength by cross-validation on the labeled
// rows, fit on all of them with it, and predict every row. Pure: features and labels in,
// probabilities out; the service decides when to call it and what to do with the result.
import { crossValidate, LAMBDAS, type CvResult } from './cross-validate';
import { fitSoftmax, predictProbs, type Features, type SoftmaxModel } from './softmax';

export interface AssistInput {
  /** Standardised features of every image. */
  features: Features;
  /** Per row: a class index, or -1 for an unlabeled image. */
  labels: Int32Array;
  k: number;
  seed: number;
  /** The strength to use without choosing again (labels changed little since); cross-validation then fits this one only. */
  lambda?: number;
  /** The last fit of the same shape, to start from. */
  warm?: Float64Array;
  /** Cross-validation reads at most this many labeled rows (stratified sample): its cost grows with folds x strengths. */
  cvCap?: number;
  signal?: AbortSignal;
  /** After each fit (every fold and strength, then the full fit): fits done, and of how many. */
  onFit?: (done: number, total: number) => void;
}

export interface AssistOutput {
  model: SoftmaxModel;
  cv: CvResult;
  /** Rows of the labeled images, in the order of `cv.oof`'s rows. */
  cvRows: Int32Array;
  folds: number;
  probs: Float32Array;
}

/** Labeled rows, and of them up to `cap`, every class kept in proportion (a seeded, even stride). */
export function labeledRows(labels: Int32Array, cap: number): { all: Int32Array; sample: Int32Array } {
  const all = Int32Array.from(Array.from(labels).flatMap((y, i) => (y >= 0 ? [i] : [])));
  if (all.length <= cap) return { all, sample: all };
  const byClass = new Map<number, number[]>();
  for (const i of all) (byClass.get(labels[i]!) ?? byClass.set(labels[i]!, []).get(labels[i]!)!).push(i);
  const out: number[] = [];
  for (const rows of byClass.values()) {
    const take = Math.max(1, Math.round((rows.length * cap) / all.length));
    for (let t = 0; t < take; t++) out.push(rows[Math.floor((t * rows.length) / take)]!);
  }
  return { all, sample: Int32Array.from(out.sort((a, b) => a - b)) };
}

/** Folds for cross-validation: 5, or fewer when the rarest class has fewer images. */
export function foldCount(labels: Int32Array, rows: Int32Array, k: number): number {
  const counts = new Array<number>(k).fill(0);
  for (const i of rows) counts[labels[i]!]!++;
  return Math.max(2, Math.min(5, ...counts));
}

/** When the strength chosen earlier still holds; see `keptStrength`. */
export interface Strength {
  lambda: number;
  /** Labeled images when it was chosen, and the classes (ids joined) then. */
  labeled: number;
  classes: string;
}

/**
 * The strength to keep without choosing again, or undefined to choose: choosing fits every
 * candidate on every fold (4 x 5 fits), keeping fits the folds once. It is kept while the
 * classes are the same and the labeled set is within a quarter of its size at the choice;
 * under 50 labeled images it always chooses (cheap, and the choice moves most there).
 */
export function keptStrength(prev: Strength | null, labeled: number, classes: string): number | undefined {
  if (!prev || prev.classes !== classes || labeled < 50) return undefined;
  return Math.abs(labeled - prev.labeled) <= 0.25 * prev.labeled ? prev.lambda : undefined;
}

export async function trainAssistant(input: AssistInput): Promise<AssistOutput> {
  const { features, labels, k, signal } = input;
  const { all, sample } = labeledRows(labels, input.cvCap ?? 1500);
  const sampleLabels = Int32Array.from(sample, (i) => labels[i]!);
  const folds = foldCount(labels, sample, k);
  const fits = folds * (input.lambda === undefined ? LAMBDAS.length : 1) + 1;
  const cv = await crossValidate({
    features,
    rows: sample,
    labels: sampleLabels,
    k,
    folds,
    seed: input.seed,
    signal,
    lambdas: input.lambda === undefined ? undefined : [input.lambda],
    init: input.warm,
    onFit: (done) => input.onFit?.(done, fits),
  });
  const model = await fitSoftmax(
    { features, rows: all, labels: Int32Array.from(all, (i) => labels[i]!), k, lambda: cv.lambda, init: input.warm },
    { signal, maxIterations: 300 },
  );
  input.onFit?.(fits, fits);
  return { model, cv, cvRows: sample, folds, probs: predictProbs(model, features) };
}

export interface Top2 {
  best: number;
  probability: number;
  /** Top-1 minus top-2 probability: small means the assistant hesitates between two classes. */
  margin: number;
}

export function top2(probs: Float32Array, row: number, k: number): Top2 {
  let best = 0;
  let second = -1;
  for (let c = 1; c < k; c++) {
    const p = probs[row * k + c]!;
    if (p > probs[row * k + best]!) {
      second = best;
      best = c;
    } else if (second < 0 || p > probs[row * k + second]!) second = c;
  }
  const p1 = probs[row * k + best]!;
  return { best, probability: p1, margin: p1 - (second < 0 ? 0 : probs[row * k + second]!) };
}
