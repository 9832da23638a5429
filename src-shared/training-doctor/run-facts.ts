// What a finding's advice may assume about this run's config: which layers the head
// has, and which fit settings a phase ran with. Advice is built from these facts, so it
// never asks to remove a layer the head lacks or to add one it has.
import type { FitConfig, RunConfig } from '../engine-config';
import type { HeadSpec } from '../head-spec';

export interface HeadFacts {
  batchNorm: boolean;
  /** Dropout rates, in order. */
  dropout: number[];
  /** Hidden dense layers' units, in order (the output layer is not in the spec). */
  dense: number[];
}

export function headFacts(head: HeadSpec): HeadFacts {
  return {
    batchNorm: head.layers.some((l) => l.kind === 'batchnorm'),
    dropout: head.layers.flatMap((l) => (l.kind === 'dropout' ? [l.rate] : [])),
    dense: head.layers.flatMap((l) => (l.kind === 'dense' ? [l.units] : [])),
  };
}

/** "Dense 64", "Dense 512 and Dense 256". */
export const denseNames = (units: number[]): string => units.map((u) => `Dense ${u}`).join(' and ');

/** The fit settings the phase ran with; phase 2's, when it has them. */
export function fitOf(config: RunConfig, phase: 1 | 2): FitConfig {
  return phase === 2 && config.phase2 ? config.phase2 : config.phase1;
}

/**
 * BatchNorm that normalises with batch statistics while the phase trains: the head's own
 * layer in either phase, and the unfrozen blocks' layers under phase 2's 'train' policy.
 * The frozen backbone's BatchNorm runs in inference mode and never counts.
 */
export function batchNormInTraining(config: RunConfig, phase: 1 | 2): { head: boolean; backbone: boolean } {
  return { head: headFacts(config.head).batchNorm, backbone: phase === 2 && config.phase2?.batchNorm === 'train' };
}
