// What an exported model carries beside its tfjs files: everything needed to use it
// correctly elsewhere (labels in output order, input size, the backbone's preprocessing)
// and to trace it back to the run that made it. Two formats: a tfjs layers model that
// wants preprocessed pixels, and an ONNX model that takes raw RGB and preprocesses inside.
import { z } from 'zod';
import { LabelType } from './head-spec';

export const PreprocessingSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('unit') }),
  z.object({ kind: z.literal('symmetric') }),
  z.object({ kind: z.literal('caffe'), meanBgr: z.tuple([z.number(), z.number(), z.number()]).optional() }),
  z.object({ kind: z.literal('torch') }),
  z.object({ kind: z.literal('raw') }),
]);
export type PreprocessingSpec = z.infer<typeof PreprocessingSpec>;

/** For people: what a preprocessing kind does to RGB pixels in 0..255. */
export function describePreprocessing(p: PreprocessingSpec): string {
  switch (p.kind) {
    case 'unit':
      return 'pixel / 255, into [0, 1]';
    case 'symmetric':
      return 'pixel / 127.5 - 1, into [-1, 1]';
    case 'caffe':
      return 'RGB to BGR, minus the ImageNet mean per channel (no scaling)';
    case 'torch':
      return 'pixel / 255, minus the ImageNet mean, over the ImageNet std, per channel';
    case 'raw':
      return 'pixels as they are (0-255): the network rescales and normalises inside';
  }
}

export const EXPORT_FORMAT = 'finetune-studio/tfjs-layers';
export const ONNX_EXPORT_FORMAT = 'finetune-studio/onnx';
export const ExportFormat = z.enum(['tfjs', 'onnx']);
export type ExportFormat = z.infer<typeof ExportFormat>;

const ManifestCommon = z.object({
  version: z.literal(1),
  /** Output index i is labels[i]. */
  labels: z.array(z.string()).min(2),
  labelType: LabelType,
  backboneId: z.string(),
  backboneHash: z.string(),
  inputSize: z.number().int().positive(),
  preprocessing: PreprocessingSpec,
  preprocessingText: z.string(),
  runId: z.string(),
  configDigest: z.string(),
});

/** A tfjs layers model: it takes [n, inputSize, inputSize, 3] after `preprocessing`, which is not inside it. */
export const TfjsExportManifest = ManifestCommon.extend({
  format: z.literal(EXPORT_FORMAT),
  /** The tfjs layers model file beside this manifest. */
  model: z.literal('model.json'),
  /** What transparent pixels were composited onto (absent in exports made before it was written). */
  background: z.string().optional(),
});

/**
 * An ONNX model: it takes RGB 0..255 as float32 NHWC [n, inputSize, inputSize, 3] and
 * applies `preprocessing` itself (its first node), so a user only decodes and resizes.
 */
export const OnnxExportManifest = ManifestCommon.extend({
  format: z.literal(ONNX_EXPORT_FORMAT),
  model: z.literal('model.onnx'),
  input: z.object({
    name: z.string(),
    layout: z.literal('NHWC'),
    range: z.literal('rgb-0-255'),
    preprocessingInGraph: z.literal(true),
  }),
  output: z.object({ name: z.string(), activation: z.enum(['softmax', 'sigmoid']) }),
  background: z.string(),
  opset: z.number().int(),
});

export const ExportManifest = z.discriminatedUnion('format', [TfjsExportManifest, OnnxExportManifest]);
export type ExportManifest = z.infer<typeof ExportManifest>;
export type TfjsExportManifest = z.infer<typeof TfjsExportManifest>;
export type OnnxExportManifest = z.infer<typeof OnnxExportManifest>;
