// keras.applications.MobileNet (V1), include_top=False, from keras/src/applications/mobilenet.py.
// Keras 3 (and tf.keras since TF 2.x) gives the stem convolution padding='same' where
// keras_applications 1.0 had a `conv1_pad` ZeroPadding2D before a 'valid' one: the two
// agree on every even size and no weighted layer moves, so either era's .h5 loads.
import type * as tf from '@tensorflow/tfjs';
import * as tfl from '@tensorflow/tfjs';
import type { ArchBlock, ArchOptions, KerasArch, KerasWeights } from './types';
import { batchNorm, checkInputSize, conv2d, depthwiseConv2d, kerasInput, relu6, zeroPad } from './keras-layers';
import type { Sym } from './keras-layers';
import { kerasWeights } from './weights-url';

const LABEL = 'MobileNet';
const MIN_SIZE = 32;
const ALPHAS = [0.25, 0.5, 0.75, 1.0] as const;
const WEIGHT_ROWS = [128, 160, 192, 224];
const BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/';

/** [pointwise filters, stride] of depthwise blocks 1..13. */
const BLOCKS: ReadonlyArray<readonly [number, 1 | 2]> = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

function alphaOf(opts: ArchOptions): number {
  const alpha = opts.alpha ?? 1.0;
  if (!(alpha > 0)) throw new Error(`${LABEL}: alpha must be positive, got ${alpha}`);
  return alpha;
}

function convBlock(x: Sym, filters: number): Sym {
  x = conv2d(x, { filters, kernel: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' });
  x = batchNorm(x, 'conv1_bn');
  return relu6(x, 'conv1_relu');
}

function depthwiseBlock(x: Sym, filters: number, strides: 1 | 2, id: number): Sym {
  if (strides === 2)
    x = zeroPad(
      x,
      [
        [0, 1],
        [0, 1],
      ],
      `conv_pad_${id}`,
    );
  x = depthwiseConv2d(x, {
    kernel: 3,
    strides,
    padding: strides === 1 ? 'same' : 'valid',
    useBias: false,
    name: `conv_dw_${id}`,
  });
  x = batchNorm(x, `conv_dw_${id}_bn`);
  x = relu6(x, `conv_dw_${id}_relu`);
  x = conv2d(x, { filters, kernel: 1, padding: 'same', useBias: false, name: `conv_pw_${id}` });
  x = batchNorm(x, `conv_pw_${id}_bn`);
  return relu6(x, `conv_pw_${id}_relu`);
}

function build(opts: ArchOptions): tf.LayersModel {
  checkInputSize(LABEL, opts.inputSize, MIN_SIZE);
  const alpha = alphaOf(opts);
  const input = kerasInput(opts.inputSize);
  // Keras takes int(filters * alpha), not _make_divisible as MobileNetV2 does.
  let x = convBlock(input, Math.floor(32 * alpha));
  BLOCKS.forEach(([filters, strides], i) => {
    x = depthwiseBlock(x, Math.floor(filters * alpha), strides, i + 1);
  });
  const rows = WEIGHT_ROWS.includes(opts.inputSize) ? opts.inputSize : 224;
  return tfl.model({ inputs: input, outputs: x, name: `mobilenet_${alpha.toFixed(2)}_${rows}` });
}

function weights(opts: ArchOptions): KerasWeights {
  const alpha = opts.alpha ?? 1.0;
  const text = { 1: '1_0', 0.75: '7_5', 0.5: '5_0', 0.25: '2_5' }[alpha];
  if (!text)
    throw new Error(`${LABEL}: Keras publishes ImageNet weights for alpha ${ALPHAS.join(', ')} only, not ${alpha}`);
  const rows = WEIGHT_ROWS.includes(opts.inputSize) ? opts.inputSize : 224;
  return kerasWeights(`${BASE}mobilenet_${text}_${rows}_tf_no_top.h5`);
}

function blocks(): ArchBlock[] {
  return BLOCKS.map((_, i) => ({ name: `conv_pw_${i + 1}`, lastLayer: `conv_pw_${i + 1}_relu` }));
}

export const mobilenet: KerasArch = {
  arch: 'mobilenet',
  label: LABEL,
  alphas: ALPHAS,
  defaultInputSize: 224,
  minInputSize: MIN_SIZE,
  suggestedInputSizes: WEIGHT_ROWS,
  preprocessing: { kind: 'symmetric' },
  featureLayer: () => 'conv_pw_13_relu',
  blocks,
  build,
  weights,
};
