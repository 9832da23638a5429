// Domain schemas shared by every side of the contract. Pure zod: no Node, Electron or DOM.
import { z } from 'zod';

/** How much a finding (the training doctor's, a dataset health check's) matters. */
export const Severity = z.enum(['info', 'warning', 'problem']);
export type Severity = z.infer<typeof Severity>;

export const Split = z.enum(['train', 'val', 'test']);
export type Split = z.infer<typeof Split>;

export const ProjectInfo = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  images: z.number().int(),
  classes: z.number().int(),
  problems: z.number().int(),
  /** Opened without write access (a read-only folder, disk or mount): changes are refused. */
  readOnly: z.boolean(),
});
export type ProjectInfo = z.infer<typeof ProjectInfo>;

export const ClassInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  color: z.string(),
  count: z.number().int(),
});
export type ClassInfo = z.infer<typeof ClassInfo>;

/** Which images the grid shows. Fields combine with AND; `unlabeled` excludes `classId`. */
export const ImageFilter = z
  .object({
    classId: z.number().int().optional(),
    split: z.union([Split, z.literal('none')]).optional(),
    unlabeled: z.boolean().optional(),
    /** Only these images, in this order: a view the assistant made (similar images, a sort by suggestion). */
    imageIds: z.array(z.number().int()).max(200_000).optional(),
  })
  .strict();
export type ImageFilter = z.infer<typeof ImageFilter>;

export const ImageSummary = z.object({
  id: z.number().int(),
  hash: z.string(),
  classId: z.number().int().nullable(),
  split: Split.nullable(),
  width: z.number().int(),
  height: z.number().int(),
  /** Left out of training: splits, runs, counts and exports skip it; the file stays. */
  excluded: z.boolean(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

export const ImageDetail = ImageSummary.extend({
  format: z.string(),
  bytes: z.number().int(),
  paths: z.array(z.string()),
  className: z.string().nullable(),
  addedAt: z.number().int(),
});
export type ImageDetail = z.infer<typeof ImageDetail>;

export const ProblemKind = z.enum([
  'empty',
  'corrupt',
  'not-an-image',
  'too-large',
  'unreadable',
  'symlink-loop',
  'link-outside',
  'label-conflict',
  /** An exact copy of an image found in another split (train/val/test): a leak between them. */
  'split-conflict',
]);
export type ProblemKind = z.infer<typeof ProblemKind>;

export const Problem = z.object({
  id: z.number().int(),
  path: z.string(),
  kind: ProblemKind,
  reason: z.string(),
  at: z.number().int(),
});
export type Problem = z.infer<typeof Problem>;

export const DatasetStats = z.object({
  total: z.number().int(),
  unlabeled: z.number().int(),
  perClass: z.array(z.object({ name: z.string(), count: z.number().int() })),
  /** Per class and per split count only images in training; `excluded` says how many are left out. */
  perSplit: z.object({
    train: z.number().int(),
    val: z.number().int(),
    test: z.number().int(),
    none: z.number().int(),
  }),
  excluded: z.number().int(),
  problems: z.array(z.object({ kind: ProblemKind, count: z.number().int() })),
});
export type DatasetStats = z.infer<typeof DatasetStats>;

export const ImportStatus = z.enum(['running', 'done', 'cancelled', 'interrupted', 'failed']);
export type ImportStatus = z.infer<typeof ImportStatus>;

export const ImportProgress = z.object({
  importId: z.number().int(),
  root: z.string(),
  status: ImportStatus,
  phase: z.enum(['scanning', 'importing', 'finished']),
  total: z.number().int(),
  done: z.number().int(),
  imported: z.number().int(),
  skipped: z.number().int(),
  problems: z.number().int(),
  imagesPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  message: z.string().optional(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const ImportRecord = z.object({
  id: z.number().int(),
  root: z.string(),
  status: ImportStatus,
  total: z.number().int(),
  done: z.number().int(),
  startedAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
});
export type ImportRecord = z.infer<typeof ImportRecord>;

/** What every label, split or class change returns: the edit it recorded (null if nothing changed). */
export const EditResult = z.object({
  editId: z.number().int().nullable(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
});
export type EditResult = z.infer<typeof EditResult>;

export const EditRecord = z.object({
  id: z.number().int(),
  at: z.number().int(),
  description: z.string(),
  images: z.number().int(),
  undone: z.boolean(),
});
export type EditRecord = z.infer<typeof EditRecord>;

export const HexColor = z.string().regex(/^#[0-9a-f]{6}$/i, 'a colour like #1f77b4');
