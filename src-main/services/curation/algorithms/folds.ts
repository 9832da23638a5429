// k-fold assignment for cross-validation (seed 000: 2,000 images are too few for one fixed
// validation split to be trusted). Every image gets exactly one fold; fold f is the
// validation set of round f and the other folds its training set, so over the k rounds each
// image is validated exactly once. Pass the images that may train or validate: the test
// split stays out of cross-validation.
import { seededRandom, shuffled } from '../../../../src-shared/random';
import { compareIds, fillBins, groupUnits, type ImageId, type SplitItem } from './splits';

export interface FoldOptions {
  k: number;
  seed: number;
}

function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold needs k >= 2, got ${k}`);
  if (k > n) throw new Error(`k-fold with k = ${k} needs at least ${k} images (or groups), got ${n}`);
}

/**
 * Stratified folds: each class shuffled and dealt round the folds, the deal carrying on from
 * class to class, so every class and every fold differ by at most one image from even.
 */
export function stratifiedFolds<Id extends ImageId>(
  items: ReadonlyArray<SplitItem<Id>>,
  options: FoldOptions,
): Map<Id, number> {
  checkK(options.k, items.length);
  const random = seededRandom(options.seed);
  const classes = new Map<string, Id[]>();
  for (const item of [...items].sort((a, b) => compareIds(a.id, b.id))) {
    const key = item.label ?? '';
    const list = classes.get(key);
    if (list) list.push(item.id);
    else classes.set(key, [item.id]);
  }
  const folds = new Map<Id, number>();
  let deal = 0;
  for (const key of [...classes.keys()].sort()) {
    for (const id of shuffled(classes.get(key)!, random)) folds.set(id, deal++ % options.k);
  }
  return folds;
}

/** Grouped folds: whole groups go to one fold, classes approximately stratified. */
export function groupedFolds<Id extends ImageId>(
  items: ReadonlyArray<SplitItem<Id>>,
  options: FoldOptions,
): Map<Id, number> {
  const units = groupUnits(items, false);
  checkK(options.k, units.length);
  const totals = new Map<string, number>();
  for (const u of units) for (const [label, c] of u.classes) totals.set(label, (totals.get(label) ?? 0) + c);
  const targets = Array.from(
    { length: options.k },
    () => new Map([...totals].map(([label, c]) => [label, c / options.k])),
  );
  const filled = targets.map(() => new Map<string, number>());
  const chosen = fillBins(units, targets, filled, seededRandom(options.seed));
  const folds = new Map<Id, number>();
  for (const u of units) for (const id of u.ids) folds.set(id, chosen.get(u.key)!);
  return folds;
}

/** Grouped when any image has a group, stratified otherwise. */
export function assignFolds<Id extends ImageId>(
  items: ReadonlyArray<SplitItem<Id>>,
  options: FoldOptions,
): Map<Id, number> {
  return items.some((i) => i.group != null && i.group !== '')
    ? groupedFolds(items, options)
    : stratifiedFolds(items, options);
}
