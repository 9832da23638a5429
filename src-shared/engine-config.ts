// A training run's configuration as data: validated with zod where it is written (UI,
// CLI, JSON file), stored whole with the run so it can be re-run exactly.
import { z } from 'zod';
import { HeadSpec, LabelType } from './head-spec';
import { LrSchedule } from './engine-schedule';

export const OptimizerSpec = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('adam'),
      lr: z.number().positive().max(1),
      beta1: z.number().min(0).lt(1).default(0.9),
      beta2: z.number().min(0).lt(1).default(0.999),
    })
    .strict(),
  z
    .object({
      kind: z.literal('sgd'),
      lr: z.number().positive().max(10),
      momentum: z.number().min(0).lt(1).default(0.9),
      nesterov: z.boolean().default(false),
    })
    .strict(),
]);
export type OptimizerSpec = z.infer<typeof OptimizerSpec>;

export const Monitor = z.enum(['valLoss', 'valAcc', 'valMacroF1', 'trainLoss']);
export type Monitor = z.infer<typeof Monitor>;

export const EarlyStoppingSpec = z
  .object({
    monitor: Monitor.default('valLoss'),
    patience: z.number().int().min(0).default(5),
    minDelta: z.number().min(0).default(0),
    restoreBest: z.boolean().default(true),
  })
  .strict();
export type EarlyStoppingSpec = z.infer<typeof EarlyStoppingSpec>;

export const FitConfig = z
  .object({
    epochs: z.number().int().min(1).max(10000),
    batchSize: z.number().int().min(1).max(4096).default(32),
    optimizer: OptimizerSpec,
    schedule: LrSchedule.default({ kind: 'constant', warmupEpochs: 0 }),
    /** 'balanced': n / (classes * n_c) from the training split, as sklearn computes it. */
    classWeights: z.enum(['balanced', 'off']).default('off'),
    earlyStopping: EarlyStoppingSpec.nullable().default(null),
  })
  .strict();
export type FitConfig = z.infer<typeof FitConfig>;
export type FitConfigInput = z.input<typeof FitConfig>;

/** What to do with the BatchNorm layers of the unfrozen blocks in phase 2. */
export const BatchNormPolicy = z.enum([
  /** Inference mode with the pretrained statistics; gamma and beta do not train (Keras' advice). */
  'frozen',
  /** Re-estimate the moving statistics on the training images once, then as 'frozen'. */
  'reestimate',
  /** Train gamma and beta and use batch statistics: only with large batches. */
  'train',
]);
export type BatchNormPolicy = z.infer<typeof BatchNormPolicy>;

export const Phase2Config = FitConfig.extend({
  unfreezeBlocks: z.number().int().min(1),
  batchNorm: BatchNormPolicy.default('frozen'),
}).strict();
export type Phase2Config = z.infer<typeof Phase2Config>;

export const AugmentConfig = z
  .object({
    /** How many augmented views of each training image are cached; one is drawn per epoch. */
    views: z.number().int().min(1).max(64).default(4),
    flip: z.boolean().default(true),
    /** Largest rotation either way, in degrees. */
    rotationDeg: z.number().min(0).max(180).default(15),
    /** Largest fraction cropped away before resizing back (zoom in). */
    zoom: z.number().min(0).max(0.5).default(0.15),
    /** Largest brightness shift, as a fraction of the full range. */
    brightness: z.number().min(0).max(1).default(0.1),
    /** Largest contrast change, as a fraction (0.2 -> factor in [0.8, 1.2]). */
    contrast: z.number().min(0).max(1).default(0.1),
  })
  .strict();
export type AugmentConfig = z.infer<typeof AugmentConfig>;

/** What the person aims for (seed 003: validation above 85 % while training stays below 92 %); checked each epoch. */
export const RunTarget = z
  .object({
    valAbove: z.number().min(0).max(1).optional(),
    trainBelow: z.number().min(0).max(1).optional(),
  })
  .strict();
export type RunTarget = z.infer<typeof RunTarget>;

export const RunConfig = z
  .object({
    backboneId: z.string().min(1),
    inputSize: z.number().int().positive().optional(),
    labelType: LabelType.default('single'),
    head: HeadSpec.default({ pooling: 'avg', layers: [], l2: 0 }),
    augment: AugmentConfig.nullable().default(null),
    phase1: FitConfig,
    phase2: Phase2Config.nullable().default(null),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42),
    /** Absent in runs made before targets existed; the doctor and the curves read it. */
    target: RunTarget.optional(),
  })
  .strict();
export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;

/**
 * Where a new run starts, in the launcher's form and in `studio train` alike (seeds 000 and
 * 003): global pooling and a small head (one dropout layer), Adam at 1e-3 for up to 20
 * epochs with early stopping that restores the best epoch. Phase 2, once switched on,
 * fine-tunes the last 2 blocks at 1e-5 for 10 epochs with frozen BatchNorm; augmentation,
 * once switched on, uses the schema's settings; k-fold, once asked for, uses 5 folds.
 */
export const RUN_DEFAULTS = deepFreeze({
  run: RunConfig.omit({ backboneId: true }).parse({
    head: { layers: [{ kind: 'dropout', rate: 0.2 }] },
    phase1: { epochs: 20, optimizer: { kind: 'adam', lr: 1e-3 }, earlyStopping: {} },
  }),
  phase2: Phase2Config.parse({
    epochs: 10,
    optimizer: { kind: 'adam', lr: 1e-5 },
    earlyStopping: {},
    unfreezeBlocks: 2,
  }),
  augment: AugmentConfig.parse({}),
  folds: 5,
  /** Each schedule's own settings, for a form that switches between them: the step schedule halves every 5 epochs. */
  schedules: {
    constant: LrSchedule.parse({ kind: 'constant' }) as Extract<LrSchedule, { kind: 'constant' }>,
    step: LrSchedule.parse({ kind: 'step', everyEpochs: 5, factor: 0.5 }) as Extract<LrSchedule, { kind: 'step' }>,
    cosine: LrSchedule.parse({ kind: 'cosine' }) as Extract<LrSchedule, { kind: 'cosine' }>,
  },
  /** Each optimizer's own settings, for a form that switches between them (the rate is the form's). */
  optimizers: {
    adam: OptimizerSpec.parse({ kind: 'adam', lr: 1e-3 }) as Extract<OptimizerSpec, { kind: 'adam' }>,
    sgd: OptimizerSpec.parse({ kind: 'sgd', lr: 1e-2 }) as Extract<OptimizerSpec, { kind: 'sgd' }>,
  },
});

/** A value shared by every caller (the defaults, a parsed stored config): one that changed it would change it for all. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}
