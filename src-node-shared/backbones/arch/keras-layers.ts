// Small builders shared by the Keras Applications architectures: each makes one tfjs
// layer with Keras' defaults (not tfjs' where they differ) and applies it, so an
// architecture file reads like Keras' own source, line for line and name for name.
import * as tf from '@tensorflow/tfjs';

export type Sym = tf.SymbolicTensor;
/** ((top, bottom), (left, right)), as Keras' ZeroPadding2D takes it. */
export type Pad2 = [[number, number], [number, number]];

/**
 * Keras 2 named the input `input_1`, and so do the published .h5 files and nsfwjs'
 * converted models (Keras 3 says `input_layer`). It holds no weights, so only the name
 * seen in model summaries depends on this choice.
 */
export const INPUT_NAME = 'input_1';

/** Keras' obtain_input_shape: a square RGB input of at least `min` pixels a side. */
export function checkInputSize(label: string, size: number, min: number): void {
  if (!Number.isInteger(size) || size < min) {
    throw new Error(
      `${label}: input size ${size} is not accepted; Keras needs an integer of at least ${min} pixels a side`,
    );
  }
}

export function kerasInput(size: number): Sym {
  return tf.input({ shape: [size, size, 3], name: INPUT_NAME });
}

/**
 * keras.applications.imagenet_utils.correct_pad: the padding that makes a stride-2
 * 'valid' convolution centre its kernel like TF's 'same', one pixel less on the
 * top/left when the side is even.
 */
export function correctPad(x: Sym, kernel: number): Pad2 {
  const [, h, w] = x.shape;
  const adjust = [h == null ? 1 : 1 - (h % 2), w == null ? 1 : 1 - (w % 2)] as const;
  const half = Math.floor(kernel / 2);
  return [
    [half - adjust[0], half],
    [half - adjust[1], half],
  ];
}

export function zeroPad(x: Sym, padding: Pad2 | number, name: string): Sym {
  const p: Pad2 =
    typeof padding === 'number'
      ? [
          [padding, padding],
          [padding, padding],
        ]
      : padding;
  return tf.layers.zeroPadding2d({ padding: p, name }).apply(x) as Sym;
}

export interface ConvOptions {
  filters: number;
  kernel: number;
  strides?: number;
  padding?: 'same' | 'valid';
  /** Keras' Conv2D default is true; most Applications turn it off before a BatchNorm. */
  useBias?: boolean;
  activation?: 'relu' | 'linear';
  name: string;
}

/** Conv2D with Keras' defaults: 'valid', stride 1, bias on, glorot_uniform. */
export function conv2d(x: Sym, o: ConvOptions): Sym {
  return tf.layers
    .conv2d({
      filters: o.filters,
      kernelSize: o.kernel,
      strides: o.strides ?? 1,
      padding: o.padding ?? 'valid',
      useBias: o.useBias ?? true,
      activation: o.activation ?? 'linear',
      kernelInitializer: 'glorotUniform',
      name: o.name,
    })
    .apply(x) as Sym;
}

export interface DepthwiseOptions {
  kernel: number;
  strides?: number;
  padding?: 'same' | 'valid';
  useBias?: boolean;
  depthMultiplier?: number;
  name: string;
}

export function depthwiseConv2d(x: Sym, o: DepthwiseOptions): Sym {
  return tf.layers
    .depthwiseConv2d({
      kernelSize: o.kernel,
      strides: o.strides ?? 1,
      padding: o.padding ?? 'valid',
      useBias: o.useBias ?? true,
      depthMultiplier: o.depthMultiplier ?? 1,
      depthwiseInitializer: 'glorotUniform',
      name: o.name,
    })
    .apply(x) as Sym;
}

export interface BatchNormOptions {
  /** Keras' default 1e-3. */
  epsilon?: number;
  /** Keras' default 0.99. */
  momentum?: number;
  /** false drops gamma (InceptionV3's conv2d_bn). */
  scale?: boolean;
}

export function batchNorm(x: Sym, name: string, o: BatchNormOptions = {}): Sym {
  return tf.layers
    .batchNormalization({
      axis: -1,
      epsilon: o.epsilon ?? 1e-3,
      momentum: o.momentum ?? 0.99,
      scale: o.scale ?? true,
      name,
    })
    .apply(x) as Sym;
}

/** Keras' layers.ReLU(6.0). */
export function relu6(x: Sym, name: string): Sym {
  return tf.layers.reLU({ maxValue: 6, name }).apply(x) as Sym;
}

/** Keras' layers.Activation(kind). */
export function activation(x: Sym, kind: 'relu' | 'sigmoid' | 'swish' | 'softmax', name: string): Sym {
  return tf.layers.activation({ activation: kind, name }).apply(x) as Sym;
}

export function add(xs: Sym[], name: string): Sym {
  return tf.layers.add({ name }).apply(xs) as Sym;
}

export function maxPool(x: Sym, pool: number, strides: number, name: string, padding: 'same' | 'valid' = 'valid'): Sym {
  return tf.layers.maxPooling2d({ poolSize: pool, strides, padding, name }).apply(x) as Sym;
}

/** Keras' _make_divisible (MobileNetV2, EfficientNet): round to a multiple, never 10 % down. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  const rounded = Math.max(minValue, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}
