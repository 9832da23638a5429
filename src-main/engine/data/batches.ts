// Training data for the trainer: per-example values already computed (pooled features
// or split-point activations), assembled into one batch tensor at a time so the
// backend never holds the whole set.
import * as tf from '@tensorflow/tfjs';

export interface TrainSet {
  /** Shape of one example. */
  shape: number[];
  /** views[i]: the cached views of example i; one is drawn per epoch. */
  views: Float32Array[][];
  labels: number[];
}

export interface EvalSet {
  shape: number[];
  values: Float32Array[];
  labels: number[];
}

export function batchTensor(rows: Float32Array[], shape: number[]): tf.Tensor {
  const len = shape.reduce((a, b) => a * b, 1);
  const buf = new Float32Array(rows.length * len);
  rows.forEach((r, i) => buf.set(r, i * len));
  return tf.tensor(buf, [rows.length, ...shape]);
}

export function oneHot(labels: number[], classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D);
}

/** sklearn's 'balanced': n / (classes * count_c); a class absent from training weighs 0. */
export function balancedClassWeights(labels: number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]! += 1;
  return counts.map((c) => (c === 0 ? 0 : labels.length / (classes * c)));
}

export function checkLabels(labels: number[], classes: number, where: string): void {
  const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= classes);
  if (bad >= 0) throw new Error(`${where}: label ${labels[bad]} at position ${bad} is not a class index in 0..${classes - 1}`);
}
