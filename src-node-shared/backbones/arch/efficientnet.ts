// EfficientNet B0-B3 as keras.applications.efficientnet builds them (include_top=False,
// weights='imagenet'). The network takes raw 0..255 pixels and normalises inside:
// Rescaling(1/255), a Normalization holding ImageNet's mean and variance (weights in the
// .h5), and the extra Rescaling(1/sqrt(std)) Keras adds with ImageNet weights: the
// published files hold the std where the variance belongs, so the Normalization alone
// divides by sqrt(std) (tensorflow issue 49930). The three are auto-named in Keras
// (`rescaling`, `normalization`, `rescaling_1`); everything else is named by Keras' code.
import * as tf from '@tensorflow/tfjs';
import { activation, add, checkInputSize, correctPad, kerasInput, makeDivisible, zeroPad } from './keras-layers';
import type { Sym } from './keras-layers';
import type { ArchBlock, ArchOptions, KerasArch } from './types';
import { kerasWeights } from './weights-url';

interface StageArgs {
  kernel: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expand: number;
  strides: number;
}

/** Keras' DEFAULT_BLOCKS_ARGS (id_skip true and se_ratio 0.25 in every stage). */
const STAGES: readonly StageArgs[] = [
  { kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expand: 1, strides: 1 },
  { kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expand: 6, strides: 2 },
  { kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expand: 6, strides: 2 },
  { kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expand: 6, strides: 2 },
  { kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expand: 6, strides: 1 },
  { kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expand: 6, strides: 2 },
  { kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expand: 6, strides: 1 },
];
const SE_RATIO = 0.25;
const DROP_CONNECT_RATE = 0.2;
const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225];
const MIN_SIZE = 32;

export interface NormalizationArgs {
  name?: string;
  /** Only the channel axis (-1 or 3) is supported: Keras' EfficientNet normalises per channel. */
  axis?: number;
}

/**
 * keras.layers.Normalization as loaded from a file (not adapted here): per-channel
 * `(x - mean) / max(sqrt(variance), 1e-7)`, 1e-7 being Keras' backend.epsilon(). Its three
 * weights, in Keras' order, are non-trainable: mean[c], variance[c] and count (a scalar,
 * int64 in Keras, float32 here: only adapt() reads it).
 */
export class Normalization extends tf.layers.Layer {
  static readonly className = 'Normalization';
  readonly axis: number;
  private mean!: tf.LayerVariable;
  private variance!: tf.LayerVariable;

  constructor(args: NormalizationArgs = {}) {
    super({ name: args.name });
    this.axis = args.axis ?? -1;
    if (this.axis !== -1 && this.axis !== 3)
      throw new Error(`Normalization supports the channel axis only (-1 or 3); got ${this.axis}`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new Error(`Normalization ${this.name}: the channel dimension must be known`);
    this.mean = this.addWeight('mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.variance = this.addWeight('variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    this.addWeight('count', [], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const scale = tf.maximum(tf.sqrt(this.variance.read()), 1e-7);
      return tf.div(tf.sub(x, this.mean.read()), scale);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis };
  }
}
tf.serialization.registerClass(Normalization);

interface Variant {
  arch: string;
  label: string;
  width: number;
  depth: number;
  size: number;
  notopHash: string;
}

/** One Keras sub-block `blockNx_` with its arguments after width and depth scaling. */
export interface SubBlock {
  prefix: string;
  kernel: number;
  filtersIn: number;
  filtersOut: number;
  expand: number;
  strides: number;
  dropRate: number;
}

/** Keras' round_filters is _make_divisible of the widened count. */
const roundFilters = (filters: number, width: number): number => makeDivisible(filters * width);

const roundRepeats = (repeats: number, depth: number): number => Math.ceil(depth * repeats);

/** Every sub-block of the network in order, as Keras' loop in EfficientNet() derives them. */
export function subBlocks(v: Pick<Variant, 'width' | 'depth'>): SubBlock[] {
  const total = STAGES.reduce((n, s) => n + roundRepeats(s.repeats, v.depth), 0);
  const out: SubBlock[] = [];
  STAGES.forEach((s, i) => {
    const filtersOut = roundFilters(s.filtersOut, v.width);
    for (let j = 0; j < roundRepeats(s.repeats, v.depth); j++) {
      out.push({
        prefix: `block${i + 1}${String.fromCharCode(97 + j)}_`,
        kernel: s.kernel,
        filtersIn: j === 0 ? roundFilters(s.filtersIn, v.width) : filtersOut,
        filtersOut,
        expand: s.expand,
        strides: j === 0 ? s.strides : 1,
        dropRate: (DROP_CONNECT_RATE * out.length) / total,
      });
    }
  });
  return out;
}

const hasResidual = (b: SubBlock): boolean => b.strides === 1 && b.filtersIn === b.filtersOut;

const swish = (x: Sym, name: string): Sym => activation(x, 'swish', name);
/** Keras' EfficientNet passes bn_axis = 3 (channels_last); kept so saved configs match. */
const batchNorm = (x: Sym, name: string): Sym => tf.layers.batchNormalization({ axis: 3, name }).apply(x) as Sym;
const CONV_INIT = () => tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'truncatedNormal' });

function conv1x1(filters: number, name: string, act?: 'swish' | 'sigmoid'): tf.layers.Layer {
  const useBias = act !== undefined;
  return tf.layers.conv2d({
    filters,
    kernelSize: 1,
    padding: 'same',
    useBias,
    activation: act,
    kernelInitializer: CONV_INIT(),
    name,
  });
}

function squeezeExcite(x: Sym, b: SubBlock, filters: number): Sym {
  const p = b.prefix;
  let se = tf.layers.globalAveragePooling2d({ name: `${p}se_squeeze` }).apply(x) as Sym;
  se = tf.layers.reshape({ targetShape: [1, 1, filters], name: `${p}se_reshape` }).apply(se) as Sym;
  se = conv1x1(Math.max(1, Math.trunc(b.filtersIn * SE_RATIO)), `${p}se_reduce`, 'swish').apply(se) as Sym;
  se = conv1x1(filters, `${p}se_expand`, 'sigmoid').apply(se) as Sym;
  return tf.layers.multiply({ name: `${p}se_excite` }).apply([x, se]) as Sym;
}

/** Keras' block(): expansion, depthwise convolution, squeeze-and-excite, projection, skip. */
function mbConv(inputs: Sym, b: SubBlock): Sym {
  const p = b.prefix;
  const filters = b.filtersIn * b.expand;
  let x = inputs;
  if (b.expand !== 1)
    x = swish(batchNorm(conv1x1(filters, `${p}expand_conv`).apply(x) as Sym, `${p}expand_bn`), `${p}expand_activation`);
  if (b.strides === 2) x = zeroPad(x, correctPad(x, b.kernel), `${p}dwconv_pad`);
  const dw = tf.layers.depthwiseConv2d({
    kernelSize: b.kernel,
    strides: b.strides,
    padding: b.strides === 2 ? 'valid' : 'same',
    useBias: false,
    depthwiseInitializer: CONV_INIT(),
    name: `${p}dwconv`,
  });
  x = swish(batchNorm(dw.apply(x) as Sym, `${p}bn`), `${p}activation`);
  x = squeezeExcite(x, b, filters);
  x = batchNorm(conv1x1(b.filtersOut, `${p}project_conv`).apply(x) as Sym, `${p}project_bn`);
  if (!hasResidual(b)) return x;
  if (b.dropRate > 0) {
    // Keras drops whole samples (noise_shape (None, 1, 1, 1)); tfjs fills a null entry from
    // the input's shape as Keras does, though its typings only admit numbers. Identity at inference.
    const noiseShape = [null, 1, 1, 1] as unknown as number[];
    x = tf.layers.dropout({ rate: b.dropRate, noiseShape, name: `${p}drop` }).apply(x) as Sym;
  }
  return add([x, inputs], `${p}add`);
}

function stem(input: Sym, width: number): Sym {
  let x = tf.layers.rescaling({ scale: 1 / 255, name: 'rescaling' }).apply(input) as Sym;
  x = new Normalization({ axis: -1, name: 'normalization' }).apply(x) as Sym;
  // tfjs' Rescaling multiplies by its scale as given, so a per-channel array broadcasts
  // over the last axis as in Keras, though its typings only admit a number.
  const perChannel = IMAGENET_STDDEV_RGB.map((s) => 1 / Math.sqrt(s)) as unknown as number;
  x = tf.layers.rescaling({ scale: perChannel, name: 'rescaling_1' }).apply(x) as Sym;
  x = zeroPad(x, correctPad(x, 3), 'stem_conv_pad');
  const conv = tf.layers.conv2d({
    filters: roundFilters(32, width),
    kernelSize: 3,
    strides: 2,
    padding: 'valid',
    useBias: false,
    kernelInitializer: CONV_INIT(),
    name: 'stem_conv',
  });
  return swish(batchNorm(conv.apply(x) as Sym, 'stem_bn'), 'stem_activation');
}

function buildVariant(v: Variant, opts: ArchOptions): tf.LayersModel {
  checkInputSize(v.label, opts.inputSize, MIN_SIZE);
  const input = kerasInput(opts.inputSize);
  let x = stem(input, v.width);
  for (const b of subBlocks(v)) x = mbConv(x, b);
  x = conv1x1(roundFilters(1280, v.width), 'top_conv').apply(x) as Sym;
  x = swish(batchNorm(x, 'top_bn'), 'top_activation');
  return tf.model({ inputs: input, outputs: x, name: v.arch });
}

/** `stem`, then each Keras sub-block (ending at its add, or its project_bn without a skip), then `top`. */
function blocksOf(v: Variant): ArchBlock[] {
  const subs = subBlocks(v).map((b) => ({
    name: b.prefix.slice(0, -1),
    lastLayer: hasResidual(b) ? `${b.prefix}add` : `${b.prefix}project_bn`,
  }));
  return [{ name: 'stem', lastLayer: 'stem_activation' }, ...subs, { name: 'top', lastLayer: 'top_activation' }];
}

function efficientnet(v: Variant): KerasArch {
  return {
    arch: v.arch,
    label: v.label,
    defaultInputSize: v.size,
    minInputSize: MIN_SIZE,
    suggestedInputSizes: [...new Set([v.size, 224, 160])],
    preprocessing: { kind: 'raw' },
    featureLayer: () => 'top_activation',
    blocks: () => blocksOf(v),
    build: (opts) => buildVariant(v, opts),
    weights: () => kerasWeights(`https://storage.googleapis.com/keras-applications/${v.arch}_notop.h5`, v.notopHash),
  };
}

// Width, depth, default size and the no-top file_hash from Keras' EfficientNetBn() and WEIGHTS_HASHES.
export const efficientnetB0 = efficientnet({
  arch: 'efficientnetb0',
  label: 'EfficientNetB0',
  width: 1.0,
  depth: 1.0,
  size: 224,
  notopHash: '50bc09e76180e00e4465e1a485ddc09d',
});
export const efficientnetB1 = efficientnet({
  arch: 'efficientnetb1',
  label: 'EfficientNetB1',
  width: 1.0,
  depth: 1.1,
  size: 240,
  notopHash: '74c4e6b3e1f6a1eea24c589628592432',
});
export const efficientnetB2 = efficientnet({
  arch: 'efficientnetb2',
  label: 'EfficientNetB2',
  width: 1.1,
  depth: 1.2,
  size: 260,
  notopHash: '111f8e2ac8aa800a7a99e3239f7bfb39',
});
export const efficientnetB3 = efficientnet({
  arch: 'efficientnetb3',
  label: 'EfficientNetB3',
  width: 1.2,
  depth: 1.4,
  size: 300,
  notopHash: 'af6d107764bb5b1abb91932881670226',
});
