// bench/cpu-step's model: MobileNetV2 1.0 at 224 px with Keras' ImageNet weights (the fixture
// in ../shared/fixtures/keras), split before its last N blocks as phase 2 splits it, with the
// studio's default head (average pooling, one dense layer). Every process of the bench builds
// it the same way; the split activations are computed once and shared through a file.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mobilenetV2 } from '../../src-node-shared/backbones/arch/mobilenet-v2';
import { applyKerasWeights } from '../../src-node-shared/backbones/keras-h5-apply';
import { readKerasH5 } from '../../src-node-shared/backbones/keras-h5-read';
import type { Backbone } from '../../src-training/backbones/load';
import { findBackbone } from '../../src-node-shared/backbones/registry';
import { splitBackbone } from '../../src-training/backbones/split';
import type { SplitBackbone } from '../../src-training/backbones/split';
import { installFrozenBatchNormInference } from '../../src-training/batchnorm';
import { preprocess } from '../../src-node-shared/data/preprocess';
import { buildHead } from '../../src-training/head';
import type { Head } from '../../src-training/head';
import { buildPhase2Model } from '../../src-training/phase2';
import { HeadSpec } from '../../src-shared/head-spec';
import { fashionImage, readFashion } from '../../test/fixtures/engine/fashion-mnist';

export const FIXTURE = join(
  import.meta.dirname,
  '../../../shared/fixtures/keras/mobilenet_v2_1.0_224_from_slim_no_top.h5',
);
export const SIZE = 224;
export const CLASSES = 10;

export interface Phase2 {
  split: SplitBackbone;
  head: Head;
  model: tf.LayersModel;
}

export async function kerasMobileNetV2(): Promise<Backbone> {
  installFrozenBatchNormInference();
  const features = mobilenetV2.build({ inputSize: SIZE, alpha: 1 });
  applyKerasWeights(features, await readKerasH5(FIXTURE), FIXTURE);
  for (const layer of features.layers) layer.trainable = false;
  const [, h, w, c] = features.outputs[0]!.shape as number[];
  return {
    entry: findBackbone('mobilenet_v2'),
    inputSize: SIZE,
    features,
    featureShape: [h!, w!, c!],
    hash: 'fixture',
  };
}

/** The phase-2 model exactly as a run builds it (BatchNorm policy 'frozen', the default). */
export function phase2Of(backbone: Backbone, blocks: number): Phase2 {
  const split = splitBackbone(backbone, blocks);
  const head = buildHead(HeadSpec.parse({}), backbone.featureShape, CLASSES, 'single', { seed: 1 });
  return { split, head, model: buildPhase2Model(split, head, 'frozen') };
}

export interface Batch {
  x: Float32Array;
  shape: number[];
  labels: number[];
}

/** Split activations of the first `n` Fashion-MNIST training images, upscaled to 224 px. */
export function splitActivations(backbone: Backbone, split: SplitBackbone, n: number): Batch {
  const fm = readFashion('train', n);
  const out = tf.tidy(() => {
    const pixels = tf.stack(
      Array.from({ length: n }, (_, i) =>
        tf.image.resizeBilinear(fashionImage(fm, i).toFloat() as tf.Tensor3D, [SIZE, SIZE], true),
      ),
    );
    return split.prefix.predict(preprocess(pixels, backbone.entry.preprocessing)) as tf.Tensor;
  });
  const x = out.dataSync() as Float32Array;
  const shape = out.shape;
  out.dispose();
  return { x: Float32Array.from(x), shape, labels: Array.from(fm.labels) };
}

export function writeBatch(dir: string, b: Batch): void {
  writeFileSync(join(dir, 'batch.json'), JSON.stringify({ shape: b.shape, labels: b.labels }));
  writeFileSync(join(dir, 'batch.bin'), new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength));
}

export function readBatch(dir: string): Batch {
  const meta = JSON.parse(readFileSync(join(dir, 'batch.json'), 'utf8')) as { shape: number[]; labels: number[] };
  const bytes = readFileSync(join(dir, 'batch.bin'));
  const x = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { x, ...meta };
}
