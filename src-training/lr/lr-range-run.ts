// The learning-rate range test on a project's training images, as the training process
// runs it: phase-1 features (from the cache when a run made them before) and a fresh
// head, whose weights are thrown away afterwards.
import type { ToEngine } from '../../src-shared/engine-protocol';
import type { FromEngine } from '../../src-shared/engine-protocol';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import { loadBackbone } from '../backbones/load';
import { pooledExtractor } from '../data/features';
import { buildHead } from '../head';
import { lrRangeTest } from './lr-finder';
import type { LrRangeResult } from './lr-finder';
import { featureSets } from '../data/run-sets';

export type LrRangeTask = Extract<ToEngine, { type: 'lrRange' }>;

export async function lrRangeForRun(
  task: LrRangeTask,
  emit: (e: FromEngine) => void,
  signal?: AbortSignal,
): Promise<LrRangeResult> {
  const { config: cfg, data, dirs } = task;
  const backbone = await loadBackbone(findBackbone(cfg.backboneId), {
    inputSize: cfg.inputSize,
    downloadCacheDir: dirs.modelCache,
    modelCacheDir: dirs.modelCache,
  });
  const head = buildHead(cfg.head, backbone.featureShape, data.classes.length, cfg.labelType, { seed: cfg.seed });
  const sets = await featureSets(
    1,
    pooledExtractor(backbone, cfg.head.pooling),
    backbone,
    cfg,
    { ...data, val: [], test: [] },
    { dirs, emit, signal },
  );
  return lrRangeTest({
    model: head.top,
    head,
    classes: data.classes.length,
    train: sets.train,
    optimizer: cfg.phase1.optimizer,
    batchSize: cfg.phase1.batchSize,
    steps: task.steps,
    seed: cfg.seed,
    onStep: (done, total) => emit({ type: 'lrStep', done, total }),
    signal,
  });
}
