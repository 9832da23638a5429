// What the main process and the assistant's fitting thread (fit-worker.ts) say to each other.
// The thread holds one block of features at a time, sent once per set of images; a training
// then sends only the labels, so a refit after a label change copies kilobytes, not the block.
// The reduction of a new set of images (standardise, PCA) runs there too: the raw block moves
// to the thread without a copy.
import type { CvResult } from './model/cross-validate';
import type { SoftmaxModel } from './model/softmax';

export type ToFit =
  | { type: 'features'; x: Float32Array; d: number }
  | {
      type: 'train';
      job: number;
      labels: Int32Array;
      k: number;
      seed: number;
      lambda?: number;
      warm?: Float64Array;
    }
  /** Standardise the cache's raw features and reduce them to `r` principal components (reduce.ts). */
  | { type: 'reduce'; job: number; raw: Float32Array; blocks: number[]; r: number | null }
  /** Stops a job at its next L-BFGS iteration or PCA chunk; its answer, if one still comes, is dropped. */
  | { type: 'cancel'; job: number };

export type FromFit =
  | { type: 'progress'; job: number; done: number; total: number }
  | {
      type: 'trained';
      job: number;
      model: SoftmaxModel;
      cv: CvResult;
      cvRows: Int32Array;
      folds: number;
      probs: Float32Array;
    }
  | { type: 'reduced'; job: number; x: Float32Array; d: number }
  | { type: 'failed'; job: number; message: string };
