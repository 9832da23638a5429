// keras.applications.MobileNetV2, include_top=False, from keras/src/applications/mobilenet_v2.py.
// Keras 3 gives `Conv1` padding='same' where keras_applications 1.0 (and so nsfwjs' copy)
// had a `Conv1_pad` ZeroPadding2D before a 'valid' one: the same numbers at every size
// (correct_pad equals TF's 'same' for a 3x3 stride-2 kernel) and the same weighted layers.
import type * as tf from '@tensorflow/tfjs';
import * as tfl from '@tensorflow/tfjs';
import type { ArchBlock, ArchOptions, KerasArch, KerasWeights, ReadoutLayer } from './types';
import {
  add,
  batchNorm,
  checkInputSize,
  conv2d,
  correctPad,
  depthwiseConv2d,
  kerasInput,
  makeDivisible,
  relu6,
  zeroPad,
} from './keras-layers';
import type { BatchNormOptions, Sym } from './keras-layers';
import { kerasWeights } from './weights-url';

const LABEL = 'MobileNetV2';
const MIN_SIZE = 32;
const ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4] as const;
const WEIGHT_ROWS = [96, 128, 160, 192, 224];
const BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/';
const BN: BatchNormOptions = { epsilon: 1e-3, momentum: 0.999 };

/** [filters, stride, expansion] of inverted residual blocks 0..16. */
const BLOCKS: ReadonlyArray<readonly [number, 1 | 2, number]> = [
  [16, 1, 1],
  [24, 2, 6],
  [24, 1, 6],
  [32, 2, 6],
  [32, 1, 6],
  [32, 1, 6],
  [64, 2, 6],
  [64, 1, 6],
  [64, 1, 6],
  [64, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [160, 2, 6],
  [160, 1, 6],
  [160, 1, 6],
  [320, 1, 6],
];

function alphaOf(opts: ArchOptions): number {
  const alpha = opts.alpha ?? 1.0;
  if (!(alpha > 0)) throw new Error(`${LABEL}: alpha must be positive, got ${alpha}`);
  return alpha;
}

/** Out channels of block `id`: _make_divisible(int(filters * alpha), 8). */
function blockFilters(id: number, alpha: number): number {
  return makeDivisible(Math.floor(BLOCKS[id]![0] * alpha), 8);
}

/** Whether block `id` ends in a residual Add (same width in and out, stride 1). */
function hasAdd(id: number, alpha: number): boolean {
  const inChannels = id === 0 ? makeDivisible(32 * alpha, 8) : blockFilters(id - 1, alpha);
  return BLOCKS[id]![1] === 1 && inChannels === blockFilters(id, alpha);
}

function invertedResBlock(inputs: Sym, id: number, alpha: number): Sym {
  const [, stride, expansion] = BLOCKS[id]!;
  const inChannels = inputs.shape[3]!;
  let prefix = `block_${id}_`;
  let x = inputs;
  if (id) {
    x = conv2d(x, {
      filters: expansion * inChannels,
      kernel: 1,
      padding: 'same',
      useBias: false,
      name: `${prefix}expand`,
    });
    x = batchNorm(x, `${prefix}expand_BN`, BN);
    x = relu6(x, `${prefix}expand_relu`);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = zeroPad(x, correctPad(x, 3), `${prefix}pad`);
  x = depthwiseConv2d(x, {
    kernel: 3,
    strides: stride,
    padding: stride === 1 ? 'same' : 'valid',
    useBias: false,
    name: `${prefix}depthwise`,
  });
  x = batchNorm(x, `${prefix}depthwise_BN`, BN);
  x = relu6(x, `${prefix}depthwise_relu`);
  x = conv2d(x, {
    filters: blockFilters(id, alpha),
    kernel: 1,
    padding: 'same',
    useBias: false,
    name: `${prefix}project`,
  });
  x = batchNorm(x, `${prefix}project_BN`, BN);
  return hasAdd(id, alpha) ? add([inputs, x], `${prefix}add`) : x;
}

function weightRows(size: number): number {
  return WEIGHT_ROWS.includes(size) ? size : 224;
}

function build(opts: ArchOptions): tf.LayersModel {
  checkInputSize(LABEL, opts.inputSize, MIN_SIZE);
  const alpha = alphaOf(opts);
  const input = kerasInput(opts.inputSize);
  let x = conv2d(input, {
    filters: makeDivisible(32 * alpha, 8),
    kernel: 3,
    strides: 2,
    padding: 'same',
    useBias: false,
    name: 'Conv1',
  });
  x = batchNorm(x, 'bn_Conv1', BN);
  x = relu6(x, 'Conv1_relu');
  for (let id = 0; id < BLOCKS.length; id++) x = invertedResBlock(x, id, alpha);
  // No alpha below 1 on the last convolution, as in the paper.
  const last = alpha > 1 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = conv2d(x, { filters: last, kernel: 1, useBias: false, name: 'Conv_1' });
  x = batchNorm(x, 'Conv_1_bn', BN);
  x = relu6(x, 'out_relu');
  return tfl.model({
    inputs: input,
    outputs: x,
    name: `mobilenetv2_${alpha.toFixed(2)}_${weightRows(opts.inputSize)}`,
  });
}

/** Python's str(float(alpha)): '1.0', '0.35', '1.4'. */
function pyFloat(alpha: number): string {
  return Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha);
}

function weights(opts: ArchOptions): KerasWeights {
  const alpha = opts.alpha ?? 1.0;
  if (!(ALPHAS as readonly number[]).includes(alpha)) {
    throw new Error(`${LABEL}: Keras publishes ImageNet weights for alpha ${ALPHAS.join(', ')} only, not ${alpha}`);
  }
  const rows = weightRows(opts.inputSize);
  return kerasWeights(`${BASE}mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${pyFloat(alpha)}_${rows}_no_top.h5`);
}

/** Blocks with a residual end at `_add`, the others at their projection's BatchNorm. */
function blocks(opts: ArchOptions): ArchBlock[] {
  const alpha = alphaOf(opts);
  const out: ArchBlock[] = [];
  for (let id = 1; id < BLOCKS.length; id++) {
    out.push({ name: `block_${id}`, lastLayer: hasAdd(id, alpha) ? `block_${id}_add` : `block_${id}_project_BN` });
  }
  out.push({ name: 'Conv_1', lastLayer: 'out_relu' });
  return out;
}

/**
 * The assistant's readout: the last blocks at strides 16 (96 channels) and 32 (160) by
 * quadrant, and the feature layer averaged. On 3,000 Fashion-MNIST images a head trained on
 * one half misjudges 390 of the other half's images with it, against 493 with the feature
 * layer alone (`npx tsx bench/assist-depths.ts`).
 */
function readout(): ReadoutLayer[] {
  return [
    { layer: 'block_12_add', grid: 2 },
    { layer: 'block_15_add', grid: 2 },
    { layer: 'out_relu', grid: 1 },
  ];
}

export const mobilenetV2: KerasArch = {
  arch: 'mobilenet_v2',
  label: LABEL,
  alphas: ALPHAS,
  defaultInputSize: 224,
  minInputSize: MIN_SIZE,
  suggestedInputSizes: WEIGHT_ROWS,
  preprocessing: { kind: 'symmetric' },
  featureLayer: () => 'out_relu',
  blocks,
  readout,
  build,
  weights,
};
