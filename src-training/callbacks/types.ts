// The trainer's callback protocol: fixed, named events, each optional. A callback with
// state exposes it so a resumed run continues where the killed one stopped.
import type { EpochMetrics } from '../../src-shared/engine-metrics';

export interface BatchInfo {
  phase: 1 | 2;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  lr: number;
}

/** Trainable weights by variable name, as plain arrays (never tensors: they outlive steps). */
export type WeightSnapshot = Map<string, { shape: number[]; values: Float32Array }>;

export interface FitContext {
  readonly phase: 1 | 2;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Ends training after the current epoch; the reason is reported with the result. */
  stop(reason: string): void;
  /** Head and unfrozen blocks: what a checkpoint holds. */
  snapshot(): Promise<WeightSnapshot>;
  restore(weights: WeightSnapshot): void;
  now(): number;
  /** The loop's whole state after the epoch just ended, for a resumable checkpoint. */
  capture(): Promise<FitState>;
}

/** What a resumed fit starts from: written after an epoch, read by a new process. */
export interface FitState {
  phase: 1 | 2;
  /** Epochs finished, i.e. the next epoch to run. */
  nextEpoch: number;
  /** Optimizer steps so far: the learning-rate schedule's clock. */
  step: number;
  stopped: StopReason | null;
  epochs: EpochMetrics[];
  /** Every weight of the model being trained (moving statistics included). */
  weights: WeightSnapshot;
  /** The optimizer's slots (Adam's moments, momentum) and its iteration count. */
  optimizer: WeightSnapshot;
  callbacks: Record<string, { state: unknown; weights: WeightSnapshot | null }>;
}

export interface FitSummary {
  epochs: EpochMetrics[];
  stopReason: StopReason;
}

export type StopReason =
  { kind: 'completed' } | { kind: 'stopped'; by: string; reason: string } | { kind: 'cancelled' };

export interface Callback {
  readonly name: string;
  onFitBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(ctx: FitContext, epoch: number): void | Promise<void>;
  onBatchEnd?(ctx: FitContext, info: BatchInfo): void | Promise<void>;
  onEpochEnd?(ctx: FitContext, metrics: EpochMetrics): void | Promise<void>;
  onFitEnd?(ctx: FitContext, summary: FitSummary): void | Promise<void>;
  /** JSON-able state a resumed run needs (counters, best values). */
  saveState?(): unknown;
  loadState?(state: unknown): void;
  /** Weights a callback holds (early stopping's best epoch), saved beside its state. */
  stateWeights?(): WeightSnapshot | null;
  loadStateWeights?(weights: WeightSnapshot): void;
}
