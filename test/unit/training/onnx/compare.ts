// Shared by the ONNX export tests: seeded random weights for any tfjs model, and the
// tfjs-vs-ONNX Runtime comparison on the same seeded input.
import * as tf from '@tensorflow/tfjs';
import { onnx } from '../../../../src-node-shared/onnx/graph';
import { convertToOnnx } from '../../../../src-training/onnx/tfjs-to-onnx';
import type { OnnxConvertOptions } from '../../../../src-training/onnx/tfjs-to-onnx';
import { openOnnx } from '../../../../src-node-shared/onnx/runtime';
import { seededRandom } from '../../../../src-shared/random';
import { relativeDifference as relativeDiff } from '../../../../src-training/frozen';

/** Seeded values in [-0.5, 0.5) from the engine's RNG (long period: no repeats across a layer). */
export function seeded(n: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  return Float32Array.from({ length: n }, () => next() - 0.5);
}

/**
 * Replaces every weight with seeded values: variances positive (so BatchNorm and
 * Normalization stay finite), everything else spread around zero, so folding and
 * per-channel order mistakes show up.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
    const raw = seeded(n, seed * 1000 + i + 1);
    const positive = /variance/.test(w.originalName);
    const values = raw.map((v) => (positive ? 0.5 + Math.abs(v) * 2 : v * 1.5));
    tf.tidy(() => {
      w.write(tf.tensor(values, w.shape as number[]));
    });
  });
}

/** The same measure the engine trusts an ONNX graph by. */
export { relativeDiff };

export interface Compared {
  diff: number;
  /** tfjs' output shape. */
  shape: number[];
  bytes: Uint8Array;
}

/** Runs the model on tfjs and, exported, on ONNX Runtime (batch 2, seeded input in [-2, 2)). */
export async function compareWithOrt(
  model: tf.LayersModel,
  seed: number,
  opts: OnnxConvertOptions = {},
): Promise<Compared> {
  const shape = [2, ...(model.inputs[0]!.shape.slice(1) as number[])];
  const input = seeded(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ).map((v) => v * 4);
  const x = tf.tensor(input, shape);
  const y = model.predict(x) as tf.Tensor;
  const expected = y.dataSync().slice();
  const outShape = y.shape;
  tf.dispose([x, y]);
  const bytes = convertToOnnx(model, opts);
  const session = await openOnnx(bytes, { threads: 1 });
  try {
    const got = await session.run(input, shape);
    return { diff: relativeDiff(expected, got), shape: outShape, bytes };
  } finally {
    await session.dispose();
  }
}

/** The op types of an exported model's nodes, in order. */
export function opTypes(bytes: Uint8Array): string[] {
  return onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType!);
}
