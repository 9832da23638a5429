// What an exported model carries beside its tfjs files: everything needed to use it
// correctly elsewhere (labels in output order, input size, the backbone's preprocessing)
// and to trace it back to the run that made it.
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

export const ExportManifest = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  /** Output index i is labels[i]. */
  labels: z.array(z.string()).min(2),
  labelType: LabelType,
  backboneId: z.string(),
  backboneHash: z.string(),
  /** The model takes [n, inputSize, inputSize, 3] after `preprocessing`, which is not inside it. */
  inputSize: z.number().int().positive(),
  preprocessing: PreprocessingSpec,
  preprocessingText: z.string(),
  /** The tfjs layers model file beside this manifest. */
  model: z.literal('model.json'),
  runId: z.string(),
  configDigest: z.string(),
});
export type ExportManifest = z.infer<typeof ExportManifest>;
