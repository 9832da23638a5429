// Kernels written in plain JavaScript over the wasm backend's own heap, for backward passes
// that tfjs composes from many small wasm ops. Profiled on MobileNetV2's last three blocks
// (bench/cpu-step), a phase-2 step spent about 30 % in the depthwise filter gradient (nine
// strided slices, multiplies and transposing sums over [16, 7, 7, 960]) and 13 % in the
// masks of ReLU6's gradient (Step, Cast, GreaterEqual, LessEqual, LogicalAnd, Where: a pass
// and an allocation each). Each is one loop here. The arithmetic is the same; tests compare
// them with the composed versions and with the cpu backend.
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Shape4 = [number, number, number, number];

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
  filterShape: Shape4;
}

/** The output is made first: allocating can grow the heap, which would detach earlier views. */
function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * dW[kh, kw, c, q] = sum over b, oy, ox of x[b, oy*sh + kh*dh - top, ox*sw + kw*dw - left, c]
 * * dy[b, oy, ox, c*m + q]: one pass over dy, the channel loop innermost (NHWC keeps it
 * contiguous), accumulated in float64.
 */
export function depthwiseFilterGrad(
  x: Float32Array,
  dy: Float32Array,
  c: tf.backend_util.Conv2DInfo,
  out: Float32Array,
): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = c;
  const { dilationHeight: DH, dilationWidth: DW } = c;
  const M = c.outChannels / C;
  const CM = C * M;
  const acc = new Float64Array(FH * FW * CM);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const dyAt = ((b * OH + oy) * OW + ox) * CM;
        for (let kh = 0; kh < FH; kh++) {
          const iy = oy * SH + kh * DH - c.padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const ix = ox * SW + kw * DW - c.padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xAt = ((b * H + iy) * W + ix) * C;
            const wAt = (kh * FW + kw) * CM;
            if (M === 1) {
              for (let ch = 0; ch < C; ch++) acc[wAt + ch]! += x[xAt + ch]! * dy[dyAt + ch]!;
            } else {
              for (let ch = 0; ch < C; ch++) {
                const xv = x[xAt + ch]!;
                for (let q = 0; q < M; q++) acc[wAt + ch * M + q]! += xv * dy[dyAt + ch * M + q]!;
              }
            }
          }
        }
      }
    }
  }
  out.set(acc);
}

const depthwiseFilterGradKernel: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    if (a.dataFormat && a.dataFormat !== 'NHWC')
      throw new Error(`DepthwiseConv2dNativeBackpropFilter: only NHWC is supported, got ${a.dataFormat}`);
    const c = tf.backend_util.computeConv2DInfo(
      x.shape as Shape4,
      a.filterShape,
      a.strides,
      a.dilations ?? 1,
      a.pad,
      a.dimRoundingMode,
      true,
    );
    const wasm = backend as BackendWasm;
    const out = wasm.makeOutput(a.filterShape, 'float32');
    depthwiseFilterGrad(f32(wasm, x), f32(wasm, dy), c, f32(wasm, out));
    return out;
  },
};

/** dx = dy where lo < x (or lo <= x) and x <= hi, else 0: the gradient of a clip or a ReLU. */
export const MASK_GRAD = 'StudioMaskGrad';

interface MaskAttrs {
  lo: number;
  hi: number;
  loInclusive: boolean;
}

const maskGradKernel: KernelConfig = {
  kernelName: MASK_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const { lo, hi, loInclusive } = attrs as unknown as MaskAttrs;
    const wasm = backend as BackendWasm;
    const out = wasm.makeOutput(dy.shape, 'float32');
    const o = f32(wasm, out);
    const g = f32(wasm, dy);
    const v = f32(wasm, x);
    // Branch-free (the signs of activations are as good as random): dy times 0 or 1.
    const n = o.length;
    if (loInclusive) for (let i = 0; i < n; i++) o[i] = g[i]! * (+(v[i]! >= lo) & +(v[i]! <= hi));
    else for (let i = 0; i < n; i++) o[i] = g[i]! * (+(v[i]! > lo) & +(v[i]! <= hi));
    return out;
  },
};

function maskGrad(dy: tf.Tensor, x: tf.Tensor, attrs: MaskAttrs): tf.Tensor {
  return tf.engine().runKernel(MASK_GRAD, { dy, x }, attrs as unknown as NamedAttrMap) as tf.Tensor;
}

/** On wasm, float32 tensors take the one-loop mask; anything else keeps tfjs' own gradient. */
function maskedGradient(kernelName: string, attrsOf: (attrs: NamedAttrMap) => MaskAttrs): GradConfig {
  const original = tf.getGradient(kernelName);
  if (!original) throw new Error(`tfjs has no gradient for ${kernelName}`);
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const g = Array.isArray(dy) ? dy[0]! : dy;
      const x = saved[0]!;
      if (tf.getBackend() !== 'wasm' || g.dtype !== 'float32' || x.dtype !== 'float32')
        return original.gradFunc(dy, saved, attrs);
      return { x: () => maskGrad(g, x, attrsOf(attrs)) };
    },
  };
}

const INSTALLED = Symbol.for('finetune-studio.heap-kernels');
type Registry = { [INSTALLED]?: { kernel?: KernelConfig; grads: GradConfig[] } };

/** Idempotent. Replaces the composed depthwise filter gradient (wasm-grad-kernels.ts) on wasm. */
export function installHeapKernels(): void {
  const registry = globalThis as Registry;
  if (registry[INSTALLED]) return;
  const kernel = tf.getKernel(depthwiseFilterGradKernel.kernelName, 'wasm');
  const grads = ['ClipByValue', 'Relu', 'Relu6'].map((k) => tf.getGradient(k)!);
  if (kernel) tf.unregisterKernel(depthwiseFilterGradKernel.kernelName, 'wasm');
  tf.registerKernel(depthwiseFilterGradKernel);
  tf.registerKernel(maskGradKernel);
  // tfjs-layers' ReLU(maxValue) is relu then clipByValue; tfjs' own relu6 is Relu6.
  tf.registerGradient(
    maskedGradient('ClipByValue', (a) => ({
      lo: a.clipValueMin as number,
      hi: a.clipValueMax as number,
      loInclusive: true,
    })),
  );
  tf.registerGradient(maskedGradient('Relu', () => ({ lo: 0, hi: Infinity, loInclusive: false })));
  tf.registerGradient(maskedGradient('Relu6', () => ({ lo: 0, hi: 6, loInclusive: false })));
  registry[INSTALLED] = { kernel, grads };
}

/** Puts back what `installHeapKernels` replaced: for tests and bench/cpu-step's "before". */
export function uninstallHeapKernels(): void {
  const registry = globalThis as Registry;
  const saved = registry[INSTALLED];
  if (!saved) return;
  tf.unregisterKernel(depthwiseFilterGradKernel.kernelName, 'wasm');
  tf.unregisterKernel(MASK_GRAD, 'wasm');
  if (saved.kernel) tf.registerKernel(saved.kernel);
  for (const g of saved.grads) tf.registerGradient(g);
  delete registry[INSTALLED];
}
