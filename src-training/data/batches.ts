// Training data for the trainer: per-example values already computed (pooled features
// or split-point activations), assembled into one batch tensor at a time so the
// backend never holds the whole set. The values themselves are either held in one block
// or read from the feature cache a batch at a time (phase 2 at seed 002's scale would
// otherwise hold about 12.5 GB).
import * as tf from '@tensorflow/tfjs';

/** Per-example values, `views` of them per example, wherever they are kept. */
export interface Rows {
  /** Shape of one example's values. */
  readonly shape: number[];
  /** Examples. */
  readonly size: number;
  /** Views per example: one is drawn per epoch in training; evaluation uses the first. */
  readonly views: number;
  /** Copies view `slot` of example `i` into `target` at `offset` (in values). */
  read(i: number, slot: number, target: Float32Array, offset: number): void;
}

export function rowLength(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Rows held in memory, in one Float32Array with no object per value. */
export class BlockRows implements Rows {
  readonly size: number;
  private readonly length: number;

  constructor(
    readonly shape: number[],
    readonly views: number,
    readonly block: Float32Array,
  ) {
    this.length = rowLength(shape);
    this.size = block.length / (views * this.length);
    if (!Number.isInteger(this.size))
      throw new Error(`rows: ${block.length} values do not split into rows of ${views} x ${this.length}`);
  }

  /** values[i][slot]: example i's views, every example with the same count. */
  static of(shape: number[], values: Float32Array[][]): BlockRows {
    const views = values[0]?.length ?? 1;
    const length = rowLength(shape);
    const block = new Float32Array(values.length * views * length);
    values.forEach((v, i) => {
      if (v.length !== views) throw new Error(`rows: example ${i} has ${v.length} views, not ${views}`);
      v.forEach((row, slot) => block.set(row, (i * views + slot) * length));
    });
    return new BlockRows(shape, views, block);
  }

  read(i: number, slot: number, target: Float32Array, offset: number): void {
    const at = (i * this.views + slot) * this.length;
    target.set(this.block.subarray(at, at + this.length), offset);
  }
}

/** One example's view, copied out: for tests and the odd single look. */
export function rowOf(rows: Rows, i: number, slot = 0): Float32Array {
  const out = new Float32Array(rowLength(rows.shape));
  rows.read(i, slot, out, 0);
  return out;
}

/** Examples with their labels. Evaluation reads view 0 of each. */
export interface LabeledRows {
  rows: Rows;
  labels: number[];
}

/** Training data: one view per example is drawn each epoch. */
export type TrainSet = LabeledRows;
/** Validation or test data: view 0 of each example, never augmented. */
export type EvalSet = LabeledRows;

/** Examples `idx` (view `slots[k]` of each, view 0 when absent) as one [n, ...shape] tensor. */
export function batchTensor(rows: Rows, idx: number[], slots?: number[]): tf.Tensor {
  const len = rowLength(rows.shape);
  const buf = new Float32Array(idx.length * len);
  idx.forEach((i, k) => rows.read(i, slots?.[k] ?? 0, buf, k * len));
  return tf.tensor(buf, [idx.length, ...rows.shape]);
}

/** The indices from..to-1. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
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
  if (bad >= 0)
    throw new Error(`${where}: label ${labels[bad]} at position ${bad} is not a class index in 0..${classes - 1}`);
}
