// What a run trains, validates and tests on, frozen before it starts: image hashes per
// split (and fold) with their labels, stored in curation's split snapshot format under its
// digest. Splits the project lacks are made here, for this run only, from the run's seed
// with curation's algorithms: stratified by class, and group-aware when images have a
// group key, so one group never straddles train and validation.
import { StudioError } from '../../../src-shared/errors';
import type { Split } from '../../../src-shared/schemas';
import { assignFolds } from '../curation/algorithms/folds';
import { buildSplitSnapshot, verifySplitSnapshot } from '../curation/split-snapshot';
import type { SplitSnapshot } from '../curation/split-snapshot';
import { assignSplits } from '../curation/algorithms/splits';

export interface RunImageListEntry {
  hash: string;
  label: number;
}

export interface RunImageList {
  /** Output order: class names sorted. */
  classes: string[];
  seed: number;
  /** Where validation images come from: the project's val split, carved from train for this run, a fold, or nowhere. */
  valSource: 'split' | 'carved' | 'fold' | 'none';
  fold: { k: number; index: number } | null;
  train: RunImageListEntry[];
  val: RunImageListEntry[];
  test: RunImageListEntry[];
  /** K-fold runs: the fold of every train/val image, the same for all runs of the group. */
  folds: Record<string, number> | null;
}

export interface PlanImage {
  hash: string;
  className: string;
  split: Split | null;
  /** Curation's group key (same patient, same scene...); null stands alone. */
  group?: string | null;
  /** A fold curation assigned, used when a k-fold run asks for as many folds. */
  fold?: number | null;
}

export interface Plan {
  imageLists: RunImageList[];
  /** For the run's message: what was decided for the user. */
  notes: string[];
}

/** Share of each class's training images held out when the project has no val split. */
export const CARVED_VAL_FRACTION = 0.2;

const byHash = (a: RunImageListEntry, b: RunImageListEntry) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0);

interface Ctx {
  classes: string[];
  seed: number;
  images: Map<string, PlanImage>;
}

const item = (ctx: Ctx, e: RunImageListEntry) => ({
  id: e.hash,
  label: ctx.classes[e.label]!,
  group: ctx.images.get(e.hash)?.group ?? null,
});

/** Freezes a run's image list into curation's split snapshot; the labels travel in its params. */
export function freezeImageList(m: RunImageList): SplitSnapshot {
  const entries = (split: Split, list: RunImageListEntry[]) =>
    list.map((e) => ({ hash: e.hash, split, fold: m.folds?.[e.hash] ?? null }));
  const labels = Object.fromEntries([...m.train, ...m.val, ...m.test].map((e) => [e.hash, e.label]));
  const params = { purpose: 'run', seed: m.seed, classes: m.classes, labels, valSource: m.valSource, fold: m.fold };
  return buildSplitSnapshot(
    [...entries('train', m.train), ...entries('val', m.val), ...entries('test', m.test)],
    params,
  );
}

export function thawImageList(body: string): RunImageList {
  const s = JSON.parse(body) as SplitSnapshot;
  if (!verifySplitSnapshot(s))
    throw new Error(
      "the run's stored image list does not match its digest; it was altered after the run started. Start a new run.",
    );
  const p = s.params as {
    seed: number;
    classes: string[];
    labels: Record<string, number>;
    valSource: RunImageList['valSource'];
    fold: RunImageList['fold'];
  };
  const list = (split: Split) => s.splits[split].map((hash) => ({ hash, label: p.labels[hash]! }));
  const folds = s.folds ? Object.fromEntries(s.folds.flatMap((hashes, f) => hashes.map((h) => [h, f] as const))) : null;
  return {
    classes: p.classes,
    seed: p.seed,
    valSource: p.valSource,
    fold: p.fold,
    train: list('train'),
    val: list('val'),
    test: list('test'),
    folds,
  };
}

/** Per class (and per group, when there are groups), 20 % of the training images, from the seed. */
export function carveVal(
  ctx: Ctx,
  train: RunImageListEntry[],
): { train: RunImageListEntry[]; val: RunImageListEntry[] } {
  const { assignment } = assignSplits(
    train.map((e) => item(ctx, e)),
    { val: CARVED_VAL_FRACTION, test: 0, seed: ctx.seed, keepExisting: false },
  );
  const val = train.filter((e) => assignment.get(e.hash) === 'val');
  return { train: train.filter((e) => assignment.get(e.hash) !== 'val'), val };
}

function checkClasses(classes: string[]): void {
  if (classes.length >= 2) return;
  const have = classes.length === 0 ? 'no labeled images' : `only class "${classes[0]}"`;
  throw new StudioError(
    'invalid-input',
    `A run needs labeled images of at least two classes; this project has ${have}. Label images of another class, then start the run.`,
  );
}

function checkTraining(
  train: RunImageListEntry[],
  classes: string[],
  where: string,
  why = 'so the model could never learn it',
): void {
  if (train.length === 0) {
    throw new StudioError(
      'invalid-input',
      `There are no training images: every labeled image is in the ${where === 'train' ? 'val or test' : 'test'} split. Move some labeled images to the train split (or leave them without a split), then start the run.`,
    );
  }
  const missing = classes.filter((_, c) => !train.some((e) => e.label === c));
  if (missing.length) {
    throw new StudioError(
      'invalid-input',
      `Class ${missing.map((m) => `"${m}"`).join(', ')} has no images in the ${where} split, ${why}. Label some of its images as training images, or remove the class.`,
    );
  }
}

export function planImageLists(images: PlanImage[], seed: number, folds?: number): Plan {
  const classes = [...new Set(images.map((i) => i.className))].sort();
  checkClasses(classes);
  const ctx: Ctx = { classes, seed, images: new Map(images.map((i) => [i.hash, i])) };
  const label = new Map(classes.map((c, i) => [c, i]));
  const of = (s: Split | null) =>
    images.filter((i) => i.split === s).map((i) => ({ hash: i.hash, label: label.get(i.className)! }));
  const unsplit = of(null);
  const split = {
    train: [...of('train'), ...unsplit].sort(byHash),
    val: of('val').sort(byHash),
    test: of('test').sort(byHash),
  };
  const notes = unsplit.length ? [`${unsplit.length} labeled images had no split and were used for training.`] : [];
  const base = { classes, seed, folds: null };
  if (folds) return kFold(ctx, split, folds, notes);
  checkTraining(split.train, classes, 'train');
  if (split.val.length > 0) return { imageLists: [{ ...base, valSource: 'split', fold: null, ...split }], notes };
  const carved = carveVal(ctx, split.train);
  if (carved.val.length === 0) {
    notes.push(
      'No validation split and too few images to hold some out: early stopping and the best epoch follow the training loss.',
    );
    return { imageLists: [{ ...base, valSource: 'none', fold: null, ...split }], notes };
  }
  checkTraining(
    carved.train,
    classes,
    'train',
    'once a validation set is held out by group (all its images share one group)',
  );
  notes.push(
    `No validation split: ${carved.val.length} training images (${CARVED_VAL_FRACTION * 100} % of each class) were held out as validation for this run only, chosen with seed ${seed}.`,
  );
  return {
    imageLists: [{ ...base, valSource: 'carved', fold: null, train: carved.train, val: carved.val, test: split.test }],
    notes,
  };
}

/** The folds curation assigned when they are K of them over the whole pool, else new ones from the seed. */
function foldsOf(ctx: Ctx, pool: RunImageListEntry[], k: number, notes: string[]): Map<string, number> {
  const stored = pool.map((e) => ctx.images.get(e.hash)?.fold ?? null);
  if (stored.every((f) => f !== null) && new Set(stored).size === k) {
    notes.push(`The ${k} folds assigned in the dataset were used.`);
    return new Map(pool.map((e, i) => [e.hash, stored[i]!]));
  }
  try {
    return assignFolds(
      pool.map((e) => item(ctx, e)),
      { k, seed: ctx.seed },
    );
  } catch (err) {
    throw new StudioError(
      'invalid-input',
      `folds: ${(err as Error).message}. Choose fewer folds or label more images.`,
    );
  }
}

function kFold(
  ctx: Ctx,
  split: { train: RunImageListEntry[]; val: RunImageListEntry[]; test: RunImageListEntry[] },
  k: number,
  notes: string[],
): Plan {
  const { classes, seed } = ctx;
  const pool = [...split.train, ...split.val].sort(byHash);
  checkTraining(pool, classes, 'train or val');
  const small = classes.filter((_, c) => pool.filter((e) => e.label === c).length < k);
  if (small.length) {
    throw new StudioError(
      'invalid-input',
      `folds: ${k}-fold cross-validation needs at least ${k} train or val images of every class; ${small.map((s) => `"${s}"`).join(', ')} has fewer. Choose fewer folds or label more images.`,
    );
  }
  const foldOf = foldsOf(ctx, pool, k, notes);
  const folds = Object.fromEntries(pool.map((e) => [e.hash, foldOf.get(e.hash)!]));
  const imageLists = Array.from({ length: k }, (_, index): RunImageList => ({
    classes,
    seed,
    valSource: 'fold',
    fold: { k, index },
    train: pool.filter((e) => folds[e.hash] !== index),
    val: pool.filter((e) => folds[e.hash] === index),
    test: split.test,
    folds,
  }));
  for (const m of imageLists)
    checkTraining(m.train, classes, `train folds of fold ${m.fold!.index + 1}`, 'because of how the groups fell');
  return { imageLists, notes };
}
