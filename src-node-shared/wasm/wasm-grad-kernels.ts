// The wasm backend has no kernels for three gradients that every convolutional network
// needs in training. They are composed here from ops it does have. Transposes are done
// explicitly before matMul: wasm's matMul with a transposed operand is far slower.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
}

function info(xShape: Shape4, filterShape: Shape4, a: ConvAttrs, depthwise: boolean) {
  if (a.dataFormat && a.dataFormat !== 'NHWC')
    throw new Error(`wasm grad kernels: only NHWC is supported, got ${a.dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
  );
}

/** The input zero-padded as the forward convolution saw it. */
function padInput(x: tf.Tensor4D, c: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const p = c.padInfo;
  return tf.pad(x, [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ]);
}

/** For filter tap (kh, kw): the input pixels it touched, shape [b, outH, outW, c]. */
function tapPatch(xp: tf.Tensor4D, c: tf.backend_util.Conv2DInfo, kh: number, kw: number): tf.Tensor4D {
  const r0 = kh * c.dilationHeight;
  const c0 = kw * c.dilationWidth;
  const end = [
    xp.shape[0],
    r0 + (c.outHeight - 1) * c.strideHeight + 1,
    c0 + (c.outWidth - 1) * c.strideWidth + 1,
    xp.shape[3],
  ];
  return tf.stridedSlice(xp, [0, r0, c0, 0], end, [1, c.strideHeight, c.strideWidth, 1]) as tf.Tensor4D;
}

function conv2DBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4, a: ConvAttrs): tf.Tensor {
  return tf.tidy(() => {
    const c = info(x.shape, filterShape, a, false);
    const [fh, fw, ci, co] = filterShape;
    const xp = padInput(x, c);
    const dyMat = tf.reshape(dy, [-1, co]);
    const taps: tf.Tensor[] = [];
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const cols = tf.transpose(tf.reshape(tapPatch(xp, c, kh, kw), [-1, ci]));
        taps.push(tf.matMul(cols, dyMat));
      }
    }
    return tf.reshape(tf.stack(taps), filterShape);
  });
}

function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4, a: ConvAttrs): tf.Tensor {
  return tf.tidy(() => {
    const c = info(x.shape, filterShape, a, true);
    const [fh, fw, ch, mult] = filterShape;
    const xp = padInput(x, c);
    const dy5 = tf.reshape(dy, [dy.shape[0], dy.shape[1], dy.shape[2], ch, mult]);
    const taps: tf.Tensor[] = [];
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const patch = tf.expandDims(tapPatch(xp, c, kh, kw), 4);
        taps.push(tf.sum(tf.mul(patch, dy5), [0, 1, 2]));
      }
    }
    return tf.reshape(tf.stack(taps), filterShape);
  });
}

/** Inserts stride-1 zeros between rows and columns, the adjoint of a strided read. */
function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, h, w, ch] = dy.shape;
  const spaced = tf.pad(tf.reshape(dy, [b, h, 1, w, 1, ch]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  const full = tf.reshape(spaced, [b, h * sh, w * sw, ch]);
  return tf.slice(full, [0, 0, 0, 0], [b, (h - 1) * sh + 1, (w - 1) * sw + 1, ch]) as tf.Tensor4D;
}

/** Pads (or crops, when negative) one spatial axis so a valid convolution lands on `size`. */
function padOrCrop(t: tf.Tensor4D, axis: 1 | 2, before: number, after: number): tf.Tensor4D {
  const cropB = Math.max(0, -before);
  const cropA = Math.max(0, -after);
  const begin = [0, 0, 0, 0];
  const size = [...t.shape] as number[];
  begin[axis] = cropB;
  size[axis] = t.shape[axis] - cropB - cropA;
  const cropped = cropB || cropA ? tf.slice(t, begin, size) : t;
  const pads: Array<[number, number]> = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  pads[axis] = [Math.max(0, before), Math.max(0, after)];
  return tf.pad(cropped, pads);
}

/**
 * The transposed depthwise convolution: dilate dy by the stride, pad it, and run a
 * stride-1 depthwise convolution with the spatially flipped filter. A channel
 * multiplier m is handled by treating the c*m output channels as depthwise channels
 * and summing each group of m afterwards.
 */
function depthwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: Shape4, a: ConvAttrs): tf.Tensor {
  return tf.tidy(() => {
    const c = info(inputShape, filter.shape, a, true);
    const [fh, fw, ch, mult] = filter.shape;
    const [b, h, w] = inputShape;
    const effH = (fh - 1) * c.dilationHeight + 1;
    const effW = (fw - 1) * c.dilationWidth + 1;
    const d = dilate(dy, c.strideHeight, c.strideWidth);
    const top = effH - 1 - c.padInfo.top;
    const left = effW - 1 - c.padInfo.left;
    let padded = padOrCrop(d, 1, top, h + effH - 1 - top - d.shape[1]);
    padded = padOrCrop(padded, 2, left, w + effW - 1 - left - d.shape[2]);
    const flipped = tf.reverse(filter, [0, 1]);
    const f = tf.reshape(flipped, [fh, fw, ch * mult, 1]) as tf.Tensor4D;
    const dil: [number, number] = [c.dilationHeight, c.dilationWidth];
    const out = tf.depthwiseConv2d(padded, f, 1, 'valid', 'NHWC', dil);
    return mult === 1 ? out : tf.sum(tf.reshape(out, [b, h, w, ch, mult]), 4);
  });
}

type KernelAttrs = ConvAttrs & { filterShape: Shape4; inputShape: Shape4 };

/** A wasm kernel from a function of tensors; a kernel may return a Tensor, which the engine adopts as its output. */
function wasmKernel(
  kernelName: string,
  run: (inputs: Record<string, tf.Tensor4D>, attrs: KernelAttrs) => tf.Tensor,
): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      run(inputs as unknown as Record<string, tf.Tensor4D>, attrs as unknown as KernelAttrs) as unknown as TensorInfo,
  };
}

const configs: KernelConfig[] = [
  wasmKernel('Conv2DBackpropFilter', ({ x, dy }, a) => conv2DBackpropFilter(x, dy, a.filterShape, a)),
  wasmKernel('DepthwiseConv2dNativeBackpropFilter', ({ x, dy }, a) => depthwiseBackpropFilter(x, dy, a.filterShape, a)),
  wasmKernel('DepthwiseConv2dNativeBackpropInput', ({ dy, filter }, a) =>
    depthwiseBackpropInput(dy, filter, a.inputShape, a),
  ),
];

/** The composed kernels, for the heap kernels' test to compare with (heap-kernels.ts replaces one). */
export const wasmGradImpl = { conv2DBackpropFilter, depthwiseBackpropFilter, depthwiseBackpropInput };

/** Idempotent: registers only what the wasm backend still lacks. */
export function registerWasmGradKernels(): void {
  for (const cfg of configs) {
    if (!tf.getKernel(cfg.kernelName, 'wasm')) tf.registerKernel(cfg);
  }
}
