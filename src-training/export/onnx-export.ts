// A finished run as one ONNX model: raw RGB 0..255 in (NHWC float32, already decoded and
// resized), probabilities out. The backbone's preprocessing is the graph's first node, so
// a user of the file cannot get it wrong (seed 002's rescale=1/255 on a ResNet); the
// model's metadata_props carry everything else needed to use it (class names in output
// order, input size, background colour) and to trace it to its run. Nothing is kept
// unless ONNX Runtime gives the tfjs model's probabilities on a probe batch.
import * as tf from '@tensorflow/tfjs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ONNX_EXPORT_FORMAT } from '../../src-shared/engine-export';
import type { OnnxExportManifest, PreprocessingSpec, TfjsExportManifest } from '../../src-shared/engine-export';
import { IMAGE_BACKGROUND } from '../../src-shared/image-background';
import { ONNX_TOLERANCE, relativeDifference } from '../frozen';
import { preprocess } from '../../src-node-shared/data/preprocess';
import { convertToOnnx } from '../onnx/tfjs-to-onnx';
import { openOnnx } from '../../src-node-shared/onnx/runtime';
import { replaceFile } from '../../src-node-shared/fs/replace-file';

export const ONNX_MODEL_FILE = 'model.onnx';
const OPSET = 13;
const INPUT = 'pixels';
const OUTPUT = 'probabilities';

/** What the manifest says of a run whatever the format. */
export type ExportFacts = Omit<TfjsExportManifest, 'format' | 'model' | 'background'>;

/**
 * Every preprocessing kind is per-pixel affine, y = W x + b over the three channels (the
 * caffe kind's RGB -> BGR is a permutation in W). W and b are read off preprocess() itself,
 * so the studio keeps one definition; columns come from 255 e_k to keep float32 precision.
 */
export function preprocessingAffine(p: PreprocessingSpec): { w: number[][]; b: number[] } | null {
  if (p.kind === 'raw') return null;
  const basis = [
    [0, 0, 0],
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
  ];
  // sync-read-ok: exports never run on WebGPU (process/entry.ts leaves that rung out for them).
  const rows = tf.tidy(() => preprocess(tf.tensor2d(basis, [4, 3]), p).arraySync() as number[][]);
  const b = rows[0]!;
  const w = [0, 1, 2].map((out) => [0, 1, 2].map((k) => (rows[k + 1]![out]! - b[out]!) / 255));
  return { w, b };
}

/** `inference` (preprocessed pixels -> probabilities) behind a 1x1 convolution doing the preprocessing. */
export function rawInputModel(inference: tf.LayersModel, p: PreprocessingSpec): tf.LayersModel {
  const affine = preprocessingAffine(p);
  if (!affine) return inference;
  const [, h, w] = inference.inputs[0]!.shape as number[];
  const input = tf.input({ shape: [h!, w!, 3], name: 'raw_pixels' });
  // Keras' kernel layout: [kh, kw, in, out].
  const kernel = tf.tensor4d(
    [0, 1, 2].flatMap((k) => [0, 1, 2].map((out) => affine.w[out]![k]!)),
    [1, 1, 3, 3],
  );
  const conv = tf.layers.conv2d({
    name: 'preprocess',
    filters: 3,
    kernelSize: 1,
    useBias: true,
    trainable: false,
    weights: [kernel, tf.tensor1d(affine.b)],
  });
  const x = conv.apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: inference.apply(x) as tf.SymbolicTensor, name: `${inference.name}_raw` });
}

/** metadata_props: strings only, JSON where a value has structure. */
export function onnxMetadata(m: OnnxExportManifest): Record<string, string> {
  return {
    'finetune_studio.format': m.format,
    labels: JSON.stringify(m.labels),
    label_type: m.labelType,
    input_name: m.input.name,
    input_layout: 'NHWC float32 [n, input_size, input_size, 3]',
    input_size: String(m.inputSize),
    input_range: 'RGB 0..255: decode, composite transparency onto background, resize to input_size (stretch)',
    preprocessing: JSON.stringify(m.preprocessing),
    preprocessing_text: m.preprocessingText,
    preprocessing_in_graph: 'true',
    background: m.background,
    output_name: m.output.name,
    output_activation: m.output.activation,
    backbone_id: m.backboneId,
    backbone_hash: m.backboneHash,
    run_id: m.runId,
    config_digest: m.configDigest,
  };
}

/** Deterministic pixels over the whole 0..255 range. */
function probePixels(size: number): tf.Tensor4D {
  return tf.tidy(
    () =>
      tf
        .sin(tf.range(0, 2 * size * size * 3).mul(0.37))
        .mul(127.5)
        .add(127.5)
        .reshape([2, size, size, 3]) as tf.Tensor4D,
  );
}

/** ORT on `file` (raw pixels) against tfjs on the preprocessed pixels; throws past ONNX_TOLERANCE. */
export async function verifyOnnxExport(
  file: string,
  inference: tf.LayersModel,
  p: PreprocessingSpec,
  size: number,
): Promise<number> {
  const session = await openOnnx(file);
  const raw = probePixels(size);
  try {
    const want = tf.tidy(() => inference.predict(preprocess(raw, p)) as tf.Tensor);
    const expected = (await want.data()) as Float32Array;
    want.dispose();
    const got = await session.run((await raw.data()) as Float32Array, raw.shape);
    const d = relativeDifference(expected, got);
    if (!(d <= ONNX_TOLERANCE)) {
      throw new Error(
        `ONNX export check failed: on a probe batch ONNX Runtime's probabilities differ from tfjs' by ${d.toExponential(2)} (relative), above ${ONNX_TOLERANCE}; ${file} was not kept`,
      );
    }
    return d;
  } finally {
    raw.dispose();
    await session.dispose();
  }
}

/** Writes model.onnx into `dir`, checked against tfjs; returns the manifest to write beside it. */
export async function writeOnnxExport(
  inference: tf.LayersModel,
  facts: ExportFacts,
  dir: string,
): Promise<OnnxExportManifest> {
  const activation = facts.labelType === 'single' ? 'softmax' : 'sigmoid';
  const manifest: OnnxExportManifest = {
    ...facts,
    format: ONNX_EXPORT_FORMAT,
    model: ONNX_MODEL_FILE,
    input: { name: INPUT, layout: 'NHWC', range: 'rgb-0-255', preprocessingInGraph: true },
    output: { name: OUTPUT, activation },
    background: IMAGE_BACKGROUND,
    opset: OPSET,
  };
  const model = rawInputModel(inference, facts.preprocessing);
  const bytes = convertToOnnx(model, {
    name: inference.name,
    inputName: INPUT,
    outputName: OUTPUT,
    opset: OPSET,
    metadata: onnxMetadata(manifest),
  });
  const file = join(dir, ONNX_MODEL_FILE);
  await replaceFile(file, bytes);
  try {
    await verifyOnnxExport(file, inference, facts.preprocessing, facts.inputSize);
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return manifest;
}
