// The labeling assistant's side of the contract: its state, its per-image suggestions,
// the label queue, accepting suggestions above a probability, and the images whose label
// it doubts.
import { z } from 'zod';

export const AssistStatus = z.enum(['waiting', 'building', 'training', 'ready', 'failed']);
export type AssistStatus = z.infer<typeof AssistStatus>;

export const AssistState = z.object({
  status: AssistStatus,
  /** Whether the user started it (assist.refresh): only then does it train, and from then on it follows label changes. */
  started: z.boolean(),
  /** What it is doing or waiting for, in words a user can act on. */
  message: z.string(),
  backboneId: z.string().nullable(),
  inputSize: z.number().int().nullable(),
  /** Labeled images every class needs before the assistant trains. */
  minPerClass: z.number().int(),
  /** The classes below that, with how many they have. */
  short: z.array(z.object({ classId: z.number().int(), name: z.string(), labeled: z.number().int() })),
  /** The feature cache build, while status is 'building'; while 'training', the fits done (folds x strengths, then the full fit). */
  progress: z
    .object({
      done: z.number().int(),
      total: z.number().int(),
      fromCache: z.number().int(),
      etaS: z.number().optional(),
    })
    .nullable(),
  /** Cross-validated accuracy on the labeled images, with its Wilson 95 % interval. */
  accuracy: z
    .object({
      correct: z.number().int(),
      n: z.number().int(),
      value: z.number(),
      low: z.number(),
      high: z.number(),
      folds: z.number().int(),
      lambda: z.number(),
    })
    .nullable(),
  /** Bumped by every finished training; suggestions carry the version they come from. */
  version: z.number().int(),
  /** Images predicted, and images it trained on. */
  predicted: z.number().int(),
  labeled: z.number().int(),
  fitMs: z.number().nullable(),
});
export type AssistState = z.infer<typeof AssistState>;

/** The assistant of a project just opened: never started, nothing fitted. */
export function waitingAssistState(minPerClass: number): AssistState {
  return {
    status: 'waiting',
    started: false,
    message:
      "Start it to have labels suggested from the project's cached features; it trains once every class has a few labeled images.",
    backboneId: null,
    inputSize: null,
    minPerClass,
    short: [],
    progress: null,
    accuracy: null,
    version: 0,
    predicted: 0,
    labeled: 0,
    fitMs: null,
  };
}

export const Suggestion = z.object({
  imageId: z.number().int(),
  hash: z.string(),
  /** The suggested class and the assistant's probability for it. */
  classId: z.number().int(),
  probability: z.number(),
  /** Top-1 minus top-2 probability: small means it hesitates. */
  margin: z.number(),
  /** The image's label now, if it has one. */
  labelClassId: z.number().int().nullable(),
});
export type Suggestion = z.infer<typeof Suggestion>;

export const SuggestionSort = z.enum(['confidence', 'uncertainty', 'image']);

export const SuggestionsInput = z
  .object({
    /** Unlabeled images (the default), labeled ones, or all. */
    which: z.enum(['unlabeled', 'labeled', 'all']).default('unlabeled'),
    /** Only images suggested as this class. */
    classId: z.number().int().optional(),
    /** Only these images (a grid page), in any order. */
    imageIds: z.array(z.number().int()).max(5000).optional(),
    minProbability: z.number().min(0).max(1).optional(),
    sort: SuggestionSort.default('confidence'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(200_000).default(200),
  })
  .strict();

export const SuggestionsOutput = z.object({
  version: z.number().int(),
  total: z.number().int(),
  items: z.array(Suggestion),
});
export type SuggestionsOutput = z.infer<typeof SuggestionsOutput>;

export const AcceptInput = z
  .object({
    /** Accept every suggestion with at least this probability. */
    threshold: z.number().min(0).max(1),
    /** Only suggestions of this class; all classes when left out. */
    classId: z.number().int().optional(),
    /** Only these images' suggestions (a selection in the grid, Enter); every unlabeled image when left out. */
    imageIds: z.array(z.number().int()).min(1).max(200_000).optional(),
    /** Say what would change, and change nothing. */
    preview: z.boolean().default(false),
  })
  .strict();

export const AcceptOutput = z.object({
  version: z.number().int(),
  /** Images labeled (or, in a preview, that would be). */
  total: z.number().int(),
  perClass: z.array(z.object({ classId: z.number().int(), name: z.string(), count: z.number().int() })),
  /** The first few, most confident first, for the preview's thumbnails. */
  sample: z.array(Suggestion),
  /** The one undoable edit; null in a preview or when nothing qualified. */
  editId: z.number().int().nullable(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
});
export type AcceptOutput = z.infer<typeof AcceptOutput>;

export const Disagreement = z.object({
  imageId: z.number().int(),
  labelClassId: z.number().int(),
  /** The class the evidence puts it in, and how strongly. */
  suggestedClassId: z.number().int(),
  /** Probability of its given label, out of fold (the assistant never trained on it when judging it). */
  selfConfidence: z.number(),
  /** 'assistant': its out-of-fold fit; 'runs': a k-fold run's out-of-fold predictions; 'both'. */
  source: z.enum(['assistant', 'runs', 'both']),
});
export type Disagreement = z.infer<typeof Disagreement>;

export const DisagreementsOutput = z.object({
  version: z.number().int(),
  total: z.number().int(),
  items: z.array(Disagreement),
});

export const SimilarInput = z
  .object({
    imageId: z.number().int(),
    /** How many neighbours, nearest first. */
    count: z.number().int().min(1).max(2000).default(50),
  })
  .strict();

export const SimilarOutput = z.object({
  version: z.number().int(),
  imageId: z.number().int(),
  items: z.array(
    z.object({
      imageId: z.number().int(),
      hash: z.string(),
      /** Euclidean distance on the assistant's reduced features: 0 is the same image. */
      distance: z.number(),
      labelClassId: z.number().int().nullable(),
    }),
  ),
});
export type SimilarOutput = z.infer<typeof SimilarOutput>;
