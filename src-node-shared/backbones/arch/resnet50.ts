// keras.applications.ResNet50, include_top=False, from keras/src/applications/resnet.py
// (ResNet with preact=False, use_bias=True). The shortcut convolution is made before the
// main branch, as in Keras, so the layer order (and with it the .h5 weight order) is
// Keras': `_1_conv` .. `_2_relu`, then `_0_conv`, `_3_conv`, `_0_bn`, `_3_bn`.
import type * as tf from '@tensorflow/tfjs';
import * as tfl from '@tensorflow/tfjs';
import type { ArchBlock, ArchOptions, KerasArch, KerasWeights } from './types';
import { activation, add, batchNorm, checkInputSize, conv2d, kerasInput, maxPool, zeroPad } from './keras-layers';
import type { BatchNormOptions, Sym } from './keras-layers';
import { kerasWeights } from './weights-url';

const LABEL = 'ResNet50';
const MIN_SIZE = 32;
const BN: BatchNormOptions = { epsilon: 1.001e-5 };
const WEIGHTS_URL =
  'https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5';
const WEIGHTS_HASH = '4d473c1dd8becc155b73f8504c6f6626';

/** [stage name, bottleneck filters, blocks, first block's stride]. */
const STACKS: ReadonlyArray<readonly [string, number, number, 1 | 2]> = [
  ['conv2', 64, 3, 1],
  ['conv3', 128, 4, 2],
  ['conv4', 256, 6, 2],
  ['conv5', 512, 3, 2],
];

/** Keras' residual_block_v1 (kernel 3). */
function residualBlock(x: Sym, filters: number, stride: number, convShortcut: boolean, name: string): Sym {
  let shortcut = x;
  if (convShortcut) {
    shortcut = conv2d(x, { filters: 4 * filters, kernel: 1, strides: stride, name: `${name}_0_conv` });
    shortcut = batchNorm(shortcut, `${name}_0_bn`, BN);
  }
  let y = conv2d(x, { filters, kernel: 1, strides: stride, name: `${name}_1_conv` });
  y = batchNorm(y, `${name}_1_bn`, BN);
  y = activation(y, 'relu', `${name}_1_relu`);
  y = conv2d(y, { filters, kernel: 3, padding: 'same', name: `${name}_2_conv` });
  y = batchNorm(y, `${name}_2_bn`, BN);
  y = activation(y, 'relu', `${name}_2_relu`);
  y = conv2d(y, { filters: 4 * filters, kernel: 1, name: `${name}_3_conv` });
  y = batchNorm(y, `${name}_3_bn`, BN);
  y = add([shortcut, y], `${name}_add`);
  return activation(y, 'relu', `${name}_out`);
}

function build(opts: ArchOptions): tf.LayersModel {
  checkInputSize(LABEL, opts.inputSize, MIN_SIZE);
  const input = kerasInput(opts.inputSize);
  let x = zeroPad(input, 3, 'conv1_pad');
  x = conv2d(x, { filters: 64, kernel: 7, strides: 2, name: 'conv1_conv' });
  x = batchNorm(x, 'conv1_bn', BN);
  x = activation(x, 'relu', 'conv1_relu');
  x = zeroPad(x, 1, 'pool1_pad');
  x = maxPool(x, 3, 2, 'pool1_pool');
  for (const [stage, filters, count, stride] of STACKS) {
    x = residualBlock(x, filters, stride, true, `${stage}_block1`);
    for (let i = 2; i <= count; i++) x = residualBlock(x, filters, 1, false, `${stage}_block${i}`);
  }
  return tfl.model({ inputs: input, outputs: x, name: 'resnet50' });
}

/** The stem (`conv1`, ending at the max pool), then every residual block. */
function blocks(): ArchBlock[] {
  const out: ArchBlock[] = [{ name: 'conv1', lastLayer: 'pool1_pool' }];
  for (const [stage, , count] of STACKS) {
    for (let i = 1; i <= count; i++) out.push({ name: `${stage}_block${i}`, lastLayer: `${stage}_block${i}_out` });
  }
  return out;
}

function weights(): KerasWeights {
  return kerasWeights(WEIGHTS_URL, WEIGHTS_HASH);
}

export const resnet50: KerasArch = {
  arch: 'resnet50',
  label: LABEL,
  defaultInputSize: 224,
  minInputSize: MIN_SIZE,
  suggestedInputSizes: [160, 192, 224],
  preprocessing: { kind: 'caffe' },
  featureLayer: () => 'conv5_block3_out',
  blocks,
  build,
  weights,
};
