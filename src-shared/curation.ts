// Curation schemas: dataset health, duplicates and leakage, split assignment, CSV exchange.
// Pure zod, shared by the main side, the renderer and the command line.
import { z } from 'zod';
import { EditResult, Severity, Split } from './schemas';
import { PathString } from './folders';

/** Background computation of per-image reductions (near-duplicate search reads them). */
export const CurationProgress = z.object({
  /** reducing: images reduced so far, of total; comparing and registering: the near-duplicate search, per mille. */
  stage: z.enum(['reducing', 'comparing', 'registering']),
  done: z.number().int(),
  total: z.number().int(),
  running: z.boolean(),
});
export type CurationProgress = z.infer<typeof CurationProgress>;

export const ClusterMember = z.object({
  id: z.number().int(),
  hash: z.string(),
  split: Split.nullable(),
  classId: z.number().int().nullable(),
  path: z.string().nullable(),
  /** Excluded from training: it no longer counts towards the cluster's leakage. */
  excluded: z.boolean(),
});
export type ClusterMember = z.infer<typeof ClusterMember>;

/**
 * Near-duplicate images joined into a cluster; `id` is its smallest image id (stable across
 * calls). Splits and leakage count only members in training; a cluster with fewer than two
 * of those left is settled and not reported.
 */
export const DuplicateCluster = z.object({
  id: z.number().int(),
  members: z.array(ClusterMember),
  splits: z.array(Split),
  leaking: z.boolean(),
});
export type DuplicateCluster = z.infer<typeof DuplicateCluster>;

/** One image found at several paths (byte-identical copies the importer merged). */
export const ExactGroup = z.object({
  imageId: z.number().int(),
  hash: z.string(),
  split: Split.nullable(),
  paths: z.array(z.string()),
});
export type ExactGroup = z.infer<typeof ExactGroup>;

export const DuplicatesReport = z.object({
  exact: z.array(ExactGroup),
  clusters: z.array(DuplicateCluster),
  leaking: z.number().int(),
  /** Label or split conflicts between exact copies, recorded by the importer as problems. */
  conflicts: z.number().int(),
});
export type DuplicatesReport = z.infer<typeof DuplicatesReport>;

export const FixLeakageInput = z.object({ clusterId: z.union([z.number().int(), z.literal('all')]) }).strict();
export const FixLeakageOutput = EditResult.extend({
  moved: z.number().int(),
  clusters: z.number().int(),
  description: z.string(),
});
export type FixLeakageOutput = z.infer<typeof FixLeakageOutput>;

/** Longer than any header; an unknown column is named in the error, so it stays short. */
export const CSV_COLUMN_MAX = 200;

export const GroupBy = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), level: z.number().int().min(-20).max(20) }).strict(),
  z.object({ kind: z.literal('pattern'), regex: z.string().min(1).max(500) }).strict(),
  z.object({ kind: z.literal('csv'), file: PathString, column: z.string().min(1).max(CSV_COLUMN_MAX) }).strict(),
]);
export type GroupBy = z.infer<typeof GroupBy>;

export const SplitInput = z
  .object({
    val: z.number().min(0).max(0.9),
    test: z.number().min(0).max(0.9),
    seed: z.number().int(),
    groupBy: GroupBy.optional(),
    folds: z.number().int().min(2).max(50).optional(),
    keepPredefined: z.boolean().default(true),
    /** Each near-duplicate cluster goes whole to one split (and fold), so the split makes no leakage. */
    keepClusters: z.boolean().default(true),
  })
  .strict();
export type SplitInput = z.input<typeof SplitInput>;

export const SplitOutput = EditResult.extend({
  counts: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int(), none: z.number().int() }),
  groups: z.number().int(),
  kept: z.number().int(),
  /** Near-duplicate clusters the split kept together (0 with keepClusters off). */
  clusters: z.number().int(),
  folds: z.number().int().nullable(),
  warnings: z.array(z.string()),
});
export type SplitOutput = z.infer<typeof SplitOutput>;

/** How the split was made, recorded in the manifest (and so in its digest) beside the split itself. */
export const ManifestParams = z
  .object({
    seed: z.number().int(),
    val: z.number(),
    test: z.number(),
    groupBy: GroupBy.nullable(),
    folds: z.number().int().nullable(),
    keepClusters: z.boolean(),
  })
  .partial()
  .strict();

export const ManifestOutput = z.object({ id: z.number().int(), digest: z.string(), created: z.boolean() });

export const HealthFinding = z.object({
  kind: z.string(),
  severity: Severity,
  message: z.string(),
  count: z.number().int(),
  /** Up to 200 of the images concerned. */
  ids: z.array(z.number().int()),
  /** The content hash of each of `ids`, in order: their thumbnails. */
  hashes: z.array(z.string()),
});
export type HealthFinding = z.infer<typeof HealthFinding>;

export const HealthReport = z.object({
  classes: z.array(z.object({ name: z.string(), color: z.string(), count: z.number().int() })),
  unlabeled: z.number().int(),
  ratio: z.number().nullable(),
  exactDuplicates: z.number().int(),
  nearClusters: z.number().int(),
  leaking: z.number().int(),
  problems: z.number().int(),
  findings: z.array(HealthFinding),
});
export type HealthReport = z.infer<typeof HealthReport>;

export const CsvFileInput = z.object({ file: PathString }).strict();
export const CsvExportOutput = z.object({ file: z.string(), rows: z.number().int() });
export const CsvImportOutput = EditResult.extend({ rows: z.number().int(), changed: z.number().int() });
export type CsvImportOutput = z.infer<typeof CsvImportOutput>;
