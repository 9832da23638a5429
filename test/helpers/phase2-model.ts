// A small phase-2 model for tests that step it: MobileNetV2's last 2 blocks (depthwise and 1x1
// convolutions, BatchNorm, ReLU6, a residual add) at 64 px with random Keras-initialised
// weights, under a dense head with an L2 penalty, cut as a run cuts it (splitBackbone).
import type * as tf from '@tensorflow/tfjs';
import { mobilenetV2 } from '../../src-node-shared/backbones/arch/mobilenet-v2';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import type { Backbone } from '../../src-training/backbones/load';
import { splitBackbone } from '../../src-training/backbones/split';
import { buildHead } from '../../src-training/head';
import { buildPhase2Model } from '../../src-training/phase2';
import type { Stepper } from '../../src-training/trainer';
import type { BatchNormPolicy } from '../../src-shared/engine-config';
import { HeadSpec } from '../../src-shared/head-spec';

export function phase2Model(opts: { alpha: number; policy: BatchNormPolicy; classes: number }): {
  model: tf.LayersModel;
  head: Stepper['head'];
} {
  const features = mobilenetV2.build({ inputSize: 64, alpha: opts.alpha });
  for (const l of features.layers) l.trainable = false;
  const [, h, w, c] = features.outputs[0]!.shape as number[];
  const backbone: Backbone = {
    entry: findBackbone('mobilenet_v2'),
    inputSize: 64,
    features,
    featureShape: [h!, w!, c!],
    hash: 'test',
  };
  const spec = HeadSpec.parse({ layers: [{ kind: 'dense', units: 8 }], l2: 0.01 });
  const head = buildHead(spec, backbone.featureShape, opts.classes, 'single', { seed: 2 });
  return { model: buildPhase2Model(splitBackbone(backbone, 2), head, opts.policy), head };
}
