// Frozen inference: the part of the network that does not train (the whole backbone for
// phase 1, its prefix for phase 2) runs on ONNX Runtime when it can, on tfjs when not.
// The ONNX graph is exported from the very tfjs model and checked against it on a probe
// batch before it is trusted; any failure falls back to tfjs with the reason kept.
import * as tf from '@tensorflow/tfjs';
import type { FrozenRuntime, InferenceInfo } from '../src-shared/engine-protocol';
import { convertToOnnx } from './onnx/tfjs-to-onnx';
import { openOnnx } from '../src-node-shared/onnx/runtime';
import type { OnnxModel } from '../src-node-shared/onnx/runtime';

export interface FrozenRunner {
  info: InferenceInfo;
  /** A preprocessed NHWC batch -> the model's output, flat. */
  run(input: tf.Tensor4D): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface FrozenOptions {
  /** 'tfjs' skips ONNX Runtime (tests, or STUDIO_INFERENCE=tfjs). */
  prefer?: 'onnx' | 'tfjs';
  threads?: number;
  /** The tfjs backend name, for the record when tfjs runs it. */
  tfBackend?: string;
}

/** Largest |onnx - tfjs| allowed, relative to the largest |tfjs| output. */
export const ONNX_TOLERANCE = 1e-4;

function probe(model: tf.LayersModel): tf.Tensor4D {
  const [, h, w, c] = model.inputs[0]!.shape as number[];
  // Deterministic values in the range preprocessed pixels take ([-1, 1] and caffe's ±128 alike).
  return tf.tidy(() => tf.sin(tf.range(0, 2 * h! * w! * c!).reshape([2, h!, w!, c!])).mul(100) as tf.Tensor4D);
}

async function tfjsRun(model: tf.LayersModel, input: tf.Tensor4D): Promise<Float32Array> {
  const out = model.predict(input) as tf.Tensor;
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

/** max |other - reference| over max |reference|: how far ONNX strays from tfjs, whatever the scale. */
export function relativeDifference(reference: ArrayLike<number>, other: ArrayLike<number>): number {
  if (reference.length !== other.length)
    throw new Error(`cannot compare ${reference.length} values with ${other.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i]! - other[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

/** Exports, opens and checks the ONNX graph; throws with the reason when it cannot be used. */
async function onnxFor(model: tf.LayersModel, threads?: number): Promise<OnnxModel> {
  // The exporter reads weights synchronously; on WebGPU only values already fetched can be.
  await Promise.all(model.weights.map((w) => w.read().data()));
  // CUDA first where its provider library is installed (npm run setup:gpu); the CPU library always ships.
  const session = await openOnnx(convertToOnnx(model, { name: model.name }), { threads, cuda: true });
  const x = probe(model);
  try {
    const [want, got] = await Promise.all([tfjsRun(model, x), session.run((await x.data()) as Float32Array, x.shape)]);
    const d = relativeDifference(want, got);
    if (!(d <= ONNX_TOLERANCE)) {
      await session.dispose();
      throw new Error(
        `the ONNX graph differs from tfjs by ${d.toExponential(2)} (relative) on a probe batch, above ${ONNX_TOLERANCE}`,
      );
    }
  } finally {
    x.dispose();
  }
  return session;
}

function tfjsRunner(model: tf.LayersModel, tfBackend: string, rejected: InferenceInfo['rejected']): FrozenRunner {
  return {
    info: { runtime: `tfjs-${tfBackend}` as FrozenRuntime, threads: 1, rejected },
    run: (x) => tfjsRun(model, x),
    dispose: async () => undefined,
  };
}

export async function openFrozen(model: tf.LayersModel, opts: FrozenOptions = {}): Promise<FrozenRunner> {
  const tfBackend = opts.tfBackend ?? tf.getBackend();
  const prefer = opts.prefer ?? (process.env.STUDIO_INFERENCE === 'tfjs' ? 'tfjs' : 'onnx');
  if (prefer === 'tfjs')
    return tfjsRunner(model, tfBackend, [
      { runtime: 'onnxruntime', reason: 'tfjs asked for (STUDIO_INFERENCE=tfjs or a test)' },
    ]);
  let session: OnnxModel;
  try {
    session = await onnxFor(model, opts.threads);
  } catch (err) {
    return tfjsRunner(model, tfBackend, [{ runtime: 'onnxruntime', reason: (err as Error).message.split('\n')[0]! }]);
  }
  return {
    info: {
      runtime: session.provider === 'cuda' ? 'onnxruntime-cuda' : 'onnxruntime-cpu',
      threads: session.threads,
      rejected: session.rejected.map((r) => ({ runtime: `onnxruntime-${r.provider}`, reason: r.reason })),
    },
    run: async (x) => session.run((await x.data()) as Float32Array, x.shape),
    dispose: () => session.dispose(),
  };
}
