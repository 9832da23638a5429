// The backbones section of the contract: the registry as the launcher, head editor and
// `studio backbones` see it, where each backbone's weights are, and their download.
import { z } from 'zod';
import { PreprocessingSpec } from './engine-export';

const Shape = z.tuple([z.number().int(), z.number().int(), z.number().int()]);

export const BackboneWeights = z.object({
  /** Whether the run can use this backbone now, without a download. */
  present: z.boolean(),
  /** bundled: inside the app (nsfwjs); download / import: in the per-user model cache. */
  source: z.enum(['bundled', 'download', 'import']).nullable(),
  /** Keras' file name for the weights this backbone uses at its default size. */
  file: z.string().nullable(),
  /** Where Keras downloads it (after STUDIO_WEIGHTS_BASE_URL); null for bundled weights. */
  url: z.string().nullable(),
  bytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  path: z.string().nullable(),
});
export type BackboneWeights = z.infer<typeof BackboneWeights>;

export const BackboneInfo = z.object({
  id: z.string(),
  name: z.string(),
  /** 'mobilenet_v2', 'resnet50', ...: the architecture, whatever the weights. */
  arch: z.string().nullable(),
  /** What the weights were trained for: nsfw-tuned features transfer poorly. */
  tuning: z.enum(['imagenet', 'nsfw', 'custom']),
  /** Parameters without the top, as Keras counts them. */
  params: z.number().int().nullable(),
  /** The size the weights were trained at; the launcher's default. */
  inputSize: z.number().int(),
  allowedInputSizes: z.array(z.number().int()),
  /** Any whole size from here up is accepted as well (Keras' minimum); null: only the listed sizes. */
  minInputSize: z.number().int().nullable(),
  /** [h, w, c] of the feature map at `inputSize`; null when the registry does not know it before loading. */
  featureShape: Shape.nullable(),
  /** The feature map at each allowed size, for the head editor's live size. */
  featureShapes: z.array(z.object({ inputSize: z.number().int(), shape: Shape })),
  /** Named blocks in network order; phase 2 unfreezes the last N. */
  blocks: z.array(z.string()),
  preprocessing: PreprocessingSpec,
  preprocessingText: z.string(),
  weights: BackboneWeights,
  /** The launcher's default: the best backbone whose ImageNet weights are present. */
  recommended: z.boolean(),
});
export type BackboneInfo = z.infer<typeof BackboneInfo>;

export const DownloadState = z.enum(['downloading', 'done', 'failed', 'cancelled']);

export const BackboneDownload = z.object({
  id: z.string(),
  file: z.string(),
  url: z.string(),
  state: DownloadState,
  bytes: z.number().int(),
  total: z.number().int().nullable(),
  bytesPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  /** Why it failed or stopped, in words a user can act on. */
  message: z.string().nullable(),
});
export type BackboneDownload = z.infer<typeof BackboneDownload>;

export const BackboneImportInput = z
  .object({
    /** A Keras .h5 weight file the user has. */
    file: z.string().min(1).max(4096),
    /** The registry id it is for (e.g. 'mobilenet_0.25', 'resnet50'). */
    id: z.string().min(1).max(100),
  })
  .strict();

export const BackboneImportOutput = z.object({
  info: BackboneInfo,
  /** What was checked: every weighted layer matched with its shape. */
  layers: z.number().int(),
  params: z.number().int(),
  kerasVersion: z.string().nullable(),
  /** A different cached file this import replaced, and where that copy is kept. */
  replaced: z.object({ sha256: z.string(), addedAt: z.string(), keptAs: z.string() }).nullable(),
});
export type BackboneImportOutput = z.infer<typeof BackboneImportOutput>;
