// The embedding map's side of the contract: its state (cached, stale, computing with
// progress), and its points and their colouring fields in pages, as base64 typed arrays so
// that 200,000 points cross the socket in a few MiB rather than as millions of JSON numbers.
import { z } from 'zod';

export const MapStage = z.enum(['features', 'pca', 'neighbours', 'layout', 'placing']);
export type MapStage = z.infer<typeof MapStage>;

export const MapState = z.object({
  /** 'none': never computed; 'computing': features or projection under way; 'ready': a map is shown. */
  status: z.enum(['none', 'computing', 'ready', 'failed']),
  /** What it is doing or why it stopped, in words a user can act on. */
  message: z.string(),
  progress: z.object({ stage: MapStage, done: z.number().int(), total: z.number().int() }).nullable(),
  backboneId: z.string().nullable(),
  inputSize: z.number().int().nullable(),
  /** Points in the map shown, and how many of them UMAP laid out (the rest were placed by their neighbours). */
  count: z.number().int(),
  fitted: z.number().int(),
  /** Bumped by every new map; pages of points carry it. */
  version: z.number().int(),
  /** Images were added or removed since the map shown was computed. */
  stale: z.boolean(),
  computedAt: z.number().nullable(),
  ms: z.number().nullable(),
});
export type MapState = z.infer<typeof MapState>;

export const MAP_PAGE_MAX = 50_000;

export const MapPageInput = z
  .object({
    version: z.number().int(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(MAP_PAGE_MAX).default(MAP_PAGE_MAX),
  })
  .strict();

export const MapPoints = z.object({
  version: z.number().int(),
  total: z.number().int(),
  offset: z.number().int(),
  /** Int32 image ids, base64. */
  ids: z.string(),
  /** Float32 x, y pairs, base64. */
  xy: z.string(),
});
export type MapPoints = z.infer<typeof MapPoints>;

/** Per point of a page, in the points' order; every array base64. */
export const MapLayers = z.object({
  version: z.number().int(),
  offset: z.number().int(),
  /** Int32 class id, -1 when unlabeled. */
  classId: z.string(),
  /** Uint8: 0 none, 1 train, 2 val, 3 test. */
  split: z.string(),
  /** Uint8: 1 when excluded from training. */
  excluded: z.string(),
  /** Int32 suggested class (-1: none) and Float32 its probability (-1: none), from the assistant's last training. */
  suggestion: z.string(),
  confidence: z.string(),
  /** Uint8: 0 alone, 1 in a near-duplicate cluster, 2 in a cluster that spans splits (leakage); absent until the scan is done. */
  cluster: z.string().nullable(),
});
export type MapLayers = z.infer<typeof MapLayers>;

export const SPLIT_CODES = [null, 'train', 'val', 'test'] as const;
