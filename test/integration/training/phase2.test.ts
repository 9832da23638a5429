import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-node-shared/backend';
import { findBackbone } from '../../../src-node-shared/backbones/registry';
import { loadBackbone } from '../../../src-training/backbones/load';
import type { Backbone } from '../../../src-training/backbones/load';
import { splitBackbone } from '../../../src-training/backbones/split';
import { computeFeatures, splitExtractor } from '../../../src-training/data/features';
import { buildHead } from '../../../src-training/head';
import { buildPhase2Model, reestimateSuffixBatchNorm } from '../../../src-training/phase2';
import { fit } from '../../../src-training/trainer';
import type { TrainSet } from '../../../src-training/data/batches';
import { HeadSpec } from '../../../src-shared/head-spec';
import { FitConfig } from '../../../src-shared/engine-config';
import type { BatchNormPolicy } from '../../../src-shared/engine-config';

let backbone: Backbone;
let train: TrainSet;
const cacheDir = mkdtempSync(join(tmpdir(), 'fs-phase2-'));

before(async () => {
  await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
  backbone = await loadBackbone(findBackbone('nsfwjs_mobilenet_v2'), { inputSize: 96 });
  const split = splitBackbone(backbone, 2);
  const items = Array.from({ length: 8 }, (_, i) => ({
    hash: `img${i}`,
    source: tf.randomUniform([96, 96, 3], 0, 255, 'float32', i) as tf.Tensor3D,
  }));
  const set = await computeFeatures({
    items,
    split: 'train',
    backbone,
    extractor: splitExtractor(backbone, split),
    cacheDir,
  });
  train = { rows: set.rows, labels: items.map((_, i) => i % 2) };
  items.forEach((it) => (it.source as tf.Tensor).dispose());
});

function weightsOf(layer: tf.layers.Layer): number[][] {
  return layer.getWeights().map((w) => Array.from(w.dataSync()));
}

async function trainPhase2(policy: BatchNormPolicy) {
  const split = splitBackbone(backbone, 2);
  const head = buildHead(HeadSpec.parse({}), backbone.featureShape, 2, 'single', { seed: 1 });
  if (policy === 'reestimate') await reestimateSuffixBatchNorm(split, train);
  const model = buildPhase2Model(split, head, policy);
  const bn = backbone.features.getLayer('block_16_project_BN');
  const conv = backbone.features.getLayer('block_16_project');
  const before = { bn: weightsOf(bn), conv: weightsOf(conv) };
  const config = FitConfig.parse({ epochs: 1, batchSize: 4, optimizer: { kind: 'adam', lr: 1e-3 } });
  await fit({ phase: 2, model, head, classes: 2, train, val: null, config, seed: 1 });
  return { before, after: { bn: weightsOf(bn), conv: weightsOf(conv) }, model, split };
}

test('phase 2 trains the unfrozen blocks and leaves frozen BatchNorm statistics alone', async () => {
  const { before, after, model, split } = await trainPhase2('frozen');
  assert.equal(split.splitLayer, 'block_15_add');
  assert.deepEqual(split.blocks, ['block_16', 'Conv_1']);
  assert.notDeepEqual(after.conv, before.conv, 'the unfrozen convolution trained');
  assert.deepEqual(after.bn, before.bn, 'BN gamma, beta, moving mean and variance are untouched');
  const names = model.trainableWeights.map((w) => w.name);
  assert.ok(names.some((n) => n.startsWith('block_16_project/')));
  assert.ok(
    !names.some((n) => n.includes('_BN/') || n.includes('Conv_1_bn/')),
    'BN weights are not trained under "frozen"',
  );
  assert.ok(!names.some((n) => n.startsWith('block_15_')), 'blocks before the split do not train');
});

test('BatchNorm policies "train" and "reestimate" do change the statistics', async () => {
  const trained = await trainPhase2('train');
  assert.notDeepEqual(trained.after.bn[2], trained.before.bn[2], 'moving mean updates when BN trains');
  const re = await trainPhase2('reestimate');
  // trainPhase2 re-estimates before it reads `before`: compare with the state it started from.
  assert.notDeepEqual(re.before.bn[2], trained.after.bn[2], 're-estimation moved the statistics');
  assert.deepEqual(re.after.bn[2], re.before.bn[2], 'after re-estimation the statistics stay frozen in training');
});
