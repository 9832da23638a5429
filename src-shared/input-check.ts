// What the backbone saw at the start of a run, recorded by the engine so the doctor can
// judge the preprocessing on real runs: the preprocessed pixels' statistics, and how far
// the first BatchNorm layer's input on these images lies from the moving statistics the
// weights learned on ImageNet, for the preprocessing the run used and for every other kind.
// The weights were trained with one preprocessing; the kind that lands nearest is it.
import { z } from 'zod';

export const PreprocessingKind = z.enum(['unit', 'symmetric', 'caffe', 'torch', 'raw']);
export type PreprocessingKind = z.infer<typeof PreprocessingKind>;

const PerChannel = z.tuple([z.number(), z.number(), z.number()]);

export const PixelStats = z.object({
  /** Per channel, in the order the backbone gets them (BGR after caffe preprocessing). */
  mean: PerChannel,
  std: PerChannel,
  min: PerChannel,
  max: PerChannel,
});
export type PixelStats = z.infer<typeof PixelStats>;

export const InputCheck = z.object({
  /** Training images the check read (the first of the split). */
  images: z.number().int().nonnegative(),
  /** The preprocessing the run gave the backbone. */
  used: PreprocessingKind,
  pixels: PixelStats,
  /**
   * The first BatchNorm layer's input against its moving statistics: per kind, the median
   * over channels of |mean shift| / moving std + |ln(std / moving std)|. 0 is a perfect
   * match; ImageNet-like photos with the right kind give well under 1. Null for a backbone
   * without BatchNorm (VGG16).
   */
  probe: z
    .object({
      layer: z.string(),
      distance: z.partialRecord(PreprocessingKind, z.number()),
    })
    .nullable(),
});
export type InputCheck = z.infer<typeof InputCheck>;
