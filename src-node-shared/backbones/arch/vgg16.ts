// keras.applications.VGG16, include_top=False, from keras/src/applications/vgg16.py:
// five blocks of 3x3 'same' ReLU convolutions (with bias), each closed by a 2x2 max pool.
import type * as tf from '@tensorflow/tfjs';
import * as tfl from '@tensorflow/tfjs';
import type { ArchBlock, ArchOptions, KerasArch, KerasWeights } from './types';
import { checkInputSize, conv2d, kerasInput, maxPool } from './keras-layers';
import { kerasWeights } from './weights-url';

const LABEL = 'VGG16';
const MIN_SIZE = 32;
const WEIGHTS_URL =
  'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5';
const WEIGHTS_HASH = '6d6bbae143d832006294945121d1f1fc';

/** [filters, convolutions] of blocks 1..5. */
const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [64, 2],
  [128, 2],
  [256, 3],
  [512, 3],
  [512, 3],
];

function build(opts: ArchOptions): tf.LayersModel {
  checkInputSize(LABEL, opts.inputSize, MIN_SIZE);
  const input = kerasInput(opts.inputSize);
  let x = input;
  BLOCKS.forEach(([filters, convs], b) => {
    for (let c = 1; c <= convs; c++) {
      x = conv2d(x, { filters, kernel: 3, padding: 'same', activation: 'relu', name: `block${b + 1}_conv${c}` });
    }
    x = maxPool(x, 2, 2, `block${b + 1}_pool`);
  });
  return tfl.model({ inputs: input, outputs: x, name: 'vgg16' });
}

function blocks(): ArchBlock[] {
  return BLOCKS.map((_, b) => ({ name: `block${b + 1}`, lastLayer: `block${b + 1}_pool` }));
}

function weights(): KerasWeights {
  return kerasWeights(WEIGHTS_URL, WEIGHTS_HASH);
}

export const vgg16: KerasArch = {
  arch: 'vgg16',
  label: LABEL,
  defaultInputSize: 224,
  minInputSize: MIN_SIZE,
  suggestedInputSizes: [224],
  preprocessing: { kind: 'caffe' },
  featureLayer: () => 'block5_pool',
  blocks,
  build,
  weights,
};
