// Faster formulations of two backward passes that dominate a phase-2 step on wasm
// (profiled on MobileNetV2's last blocks): tfjs' BatchNorm gradient tiles 1/sqrt(var)
// to the input's shape (wasm's Tile is slow) and computes x - mean even when only dx is
// wanted; wasm's native Conv2DBackpropInput is slow for the 1x1 convolutions that make
// up most of MobileNetV2. The maths is unchanged; tests compare with the originals.
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelConfig, TensorInfo } from '@tensorflow/tfjs';

function reduceTo(t: tf.Tensor, like: tf.Tensor): tf.Tensor {
  // Mean, variance, scale and offset are per channel (rank 1) or already full-shaped.
  return like.rank === 1 ? tf.sum(t, [...Array(t.rank - 1).keys()]) : t;
}

const batchNormGrad: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const g = Array.isArray(dy) ? dy[0]! : dy;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const rs = () => tf.rsqrt(tf.add(variance, eps));
    const gScaled = () => (scale ? tf.mul(g, scale) : g);
    return {
      // Broadcasting along the channel axis replaces the original's tile.
      x: () => tf.reshape(tf.mul(gScaled(), rs()), x.shape),
      mean: () => tf.reshape(reduceTo(tf.neg(tf.mul(gScaled(), rs())), mean), mean.shape),
      variance: () =>
        tf.reshape(
          reduceTo(tf.mul(tf.mul(gScaled(), tf.sub(x, mean)), tf.mul(tf.pow(rs(), 3), -0.5)), mean),
          mean.shape,
        ),
      scale: () => tf.reshape(reduceTo(tf.mul(g, tf.mul(tf.sub(x, mean), rs())), mean), mean.shape),
      offset: () => tf.reshape(reduceTo(g, mean), mean.shape),
    };
  },
};

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: string;
  inputShape: [number, number, number, number];
}

function isPointwise(filter: TensorInfo, a: BackpropInputAttrs): boolean {
  const [fh, fw] = filter.shape;
  const strides = Array.isArray(a.strides) ? a.strides : [a.strides, a.strides];
  const padFree = a.pad === 'same' || a.pad === 'valid' || a.pad === 0;
  return fh === 1 && fw === 1 && strides[0] === 1 && strides[1] === 1 && padFree && (a.dataFormat ?? 'NHWC') === 'NHWC';
}

/** dx = dy . W^T for a 1x1, stride-1 convolution, with W transposed explicitly first. */
function pointwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[]): tf.Tensor {
  return tf.tidy(() => {
    const [, , ci, co] = filter.shape;
    const wt = tf.transpose(tf.reshape(filter, [ci, co]));
    return tf.reshape(tf.matMul(tf.reshape(dy, [-1, co]), wt), inputShape);
  });
}

function wrapBackpropInput(original: KernelConfig): KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
      const a = args.attrs as unknown as BackpropInputAttrs;
      if (!isPointwise(filter, a)) return original.kernelFunc(args);
      return pointwiseBackpropInput(dy, filter, a.inputShape) as unknown as TensorInfo;
    },
  };
}

const WRAPPED = Symbol.for('finetune-studio.pointwise-backprop-input');

/** Idempotent. The BatchNorm gradient is backend-neutral; the conv kernel is wasm's. */
export function installFastGradients(): void {
  tf.registerGradient(batchNormGrad);
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm') as (KernelConfig & { [WRAPPED]?: true }) | undefined;
  if (!original || original[WRAPPED]) return;
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ ...wrapBackpropInput(original), [WRAPPED]: true } as KernelConfig);
}
