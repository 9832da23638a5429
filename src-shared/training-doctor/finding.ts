// What the training doctor says about a run: findings, each with a severity, the
// evidence it rests on (epochs and figures) and one action a person can take. Pure zod
// and arithmetic, so the renderer can show live findings with the same rules as the
// main process stores.
import { z } from 'zod';
import type { RunConfig } from '../engine-config';
import type { EpochMetrics } from '../engine-metrics';
import type { TestReport } from '../engine-protocol';
import type { InputCheck } from '../input-check';

import { Severity } from '../schemas';

export { Severity };

export const EpochRef = z.object({ phase: z.union([z.literal(1), z.literal(2)]), epoch: z.number().int() });
export type EpochRef = z.infer<typeof EpochRef>;

export const Finding = z.object({
  /** The rule's id plus a qualifier where one rule says several things ('metric-sanity/majority'). */
  id: z.string(),
  severity: Severity,
  title: z.string(),
  evidence: z.object({
    /** The figures in words, as the run page and the CLI print them. */
    text: z.string(),
    epochs: z.array(EpochRef),
    figures: z.record(z.string(), z.number()),
  }),
  action: z.string(),
  /** A page of the studio that shows more ('health'). */
  link: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

export const FindingCounts = z.object({ info: z.number().int(), warning: z.number().int(), problem: z.number().int() });
export type FindingCounts = z.infer<typeof FindingCounts>;

/** Everything the rules read about one run; what is not known yet is null or absent. */
export interface DoctorInput {
  /** Both phases, in order. */
  epochs: EpochMetrics[];
  config: RunConfig;
  classes: string[];
  splitSizes: { train: number; val: number; test: number } | null;
  /** The run has ended: rules about how it finished may speak. */
  final: boolean;
  test?: TestReport | null;
  /** [h, w, c] of the backbone's feature map, for the head's size. */
  featureShape?: readonly [number, number, number] | null;
  /** Training-split accuracy in inference mode at the end of each phase, beside what training reported. */
  parity?: Array<{ phase: 1 | 2; reported: number; inference: number }>;
  /** Statistics of the images and of the first phase's pooled features. */
  inputs?: InputStats | null;
  /** What the backbone saw on the first training images, as the engine recorded it. */
  inputCheck?: InputCheck | null;
  /** Near-duplicate clusters whose images fall into more than one of this run's splits. */
  leakage?: { clusters: number; images: number } | null;
}

export interface InputStats {
  images: number;
  nearlyBlack?: number;
  nearlyWhite?: number;
  /** Images with an alpha channel; null where the import did not record it. */
  transparent?: number | null;
}

export type Rule = (input: DoctorInput) => Finding[];

/**
 * An EpochRef holds the stored index (0-based within its phase), so the curves can mark it;
 * people read epochs 1-based within each phase, as the charts and the CLI print them.
 * In sentences: "phase 1, epoch 13".
 */
export const epochName = (r: EpochRef): string => `phase ${r.phase}, epoch ${r.epoch + 1}`;
/** The epoch number a person reads, for a finding's figures. */
export const epochNumber = (r: EpochRef): number => r.epoch + 1;
export const points = (v: number): string => `${(v * 100).toFixed(1)} points`;
export const refOf = (m: EpochMetrics): EpochRef => ({ phase: m.phase, epoch: m.epoch });

/** Epochs of the phase that ran last, in order. */
export function lastPhase(epochs: EpochMetrics[]): EpochMetrics[] {
  const last = epochs.at(-1);
  return last ? epochs.filter((m) => m.phase === last.phase) : [];
}

/** Highest validation accuracy, lower validation loss on ties (as the runs table picks it). */
export function bestEpoch(epochs: EpochMetrics[]): EpochMetrics | null {
  let best: EpochMetrics | null = null;
  for (const m of epochs) {
    if (m.valAcc === null) continue;
    if (
      !best ||
      m.valAcc > best.valAcc! ||
      (m.valAcc === best.valAcc && (m.valLoss ?? Infinity) < (best.valLoss ?? Infinity))
    )
      best = m;
  }
  return best;
}

/** Images per true class in a confusion matrix (confusion[true][predicted]). */
export const rowTotals = (confusion: number[][]): number[] => confusion.map((r) => r.reduce((a, b) => a + b, 0));
/** Predictions per class. */
export const columnTotals = (confusion: number[][]): number[] =>
  confusion[0]?.map((_, c) => confusion.reduce((n, r) => n + (r[c] ?? 0), 0)) ?? [];
