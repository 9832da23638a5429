// Train/val/test assignment: stratified (every class in the same proportions in each split),
// optionally group-aware (a group never straddles splits), reproducible from a seed, and
// respectful of splits that came with the data (kept unless the caller says otherwise).
import type { Split } from '../../../../src-shared/schemas';
import { seededRandom, shuffled, type Random } from '../../../../src-shared/random';
import { readNamedFile } from '../../../../src-node-shared/fs/read-file';
import type { GroupBy } from '../../../../src-shared/curation';
import { StudioError } from '../../../../src-shared/errors';
import { parseCsv } from './labels-csv';
import { decodeUtf8 } from './text-encoding';
import { assignFolds } from './folds';
import { csvGroup, folderGroup, patternGroup, type GroupKey } from './group-keys';
import { groupName, groupsWithClusters } from './cluster-groups';
import type { CurationRow } from '../../../store/repos/images';

export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export type ImageId = string | number;

/** Stratification key for unlabelled images: sorts first and cannot clash with a class name. */
const UNLABELLED = '\u0000unlabelled';

export interface SplitItem<Id extends ImageId = ImageId> {
  id: Id;
  /** The class; null (unlabelled) is stratified as a class of its own. */
  label: string | null;
  /** A split the image already has (from import or a CSV). */
  split?: Split | null;
  /** Images with the same group go to the same split; null stands alone. */
  group?: string | null;
}

export interface SplitOptions {
  /** Fractions of each class for val and test; train gets the rest. */
  val: number;
  test: number;
  seed: number;
  /** Keep splits images already have (default true); false reassigns everything. */
  keepExisting?: boolean;
}

export interface SplitResult<Id extends ImageId = ImageId> {
  assignment: Map<Id, Split>;
  /** Images whose existing split was kept. */
  kept: number;
  /** Things the caller should show: groups that already straddle splits, and the like. */
  warnings: string[];
}

export function compareIds(a: ImageId, b: ImageId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function splitFractions(o: Pick<SplitOptions, 'val' | 'test'>): number[] {
  const { val, test } = o;
  if (!(val >= 0 && test >= 0 && val + test < 1)) {
    throw new Error(`split fractions must be >= 0 and leave something for train: val ${val}, test ${test}`);
  }
  return [1 - val - test, val, test];
}

/**
 * Whole counts for n items that sum to n, each as close to n * fraction as can be (largest
 * remainder); every split with a positive fraction gets at least one item when n allows.
 */
export function apportion(n: number, fractions: readonly number[]): number[] {
  const exact = fractions.map((f) => n * f);
  const counts = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = n - counts.reduce((s, c) => s + c, 0); k < left; k++) counts[order[k % order.length][1]]++;
  const wanted = fractions.map((f, i) => (f > 0 ? i : -1)).filter((i) => i >= 0);
  if (n >= wanted.length) {
    for (const i of wanted) {
      if (counts[i] > 0) continue;
      const donor = counts.indexOf(Math.max(...counts));
      counts[donor]--;
      counts[i]++;
    }
  }
  return counts;
}

function byClass<Id extends ImageId>(items: ReadonlyArray<SplitItem<Id>>): Map<string, SplitItem<Id>[]> {
  const out = new Map<string, SplitItem<Id>[]>();
  for (const item of [...items].sort((a, b) => compareIds(a.id, b.id))) {
    const key = item.label ?? UNLABELLED;
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What the free images of one class should add to each split, given those already fixed. */
function freeQuota(total: number, fixed: number[], free: number, fractions: readonly number[]): number[] {
  const need = apportion(total, fractions).map((q, i) => Math.max(0, q - fixed[i]));
  const sum = need.reduce((s, x) => s + x, 0);
  if (sum === free) return need;
  if (sum > free)
    return apportion(
      free,
      need.map((x) => x / sum),
    );
  const extra = apportion(free - sum, fractions);
  return need.map((x, i) => x + extra[i]);
}

/** Exact per-class stratification; groups are ignored (see `groupedSplit`). */
export function stratifiedSplit<Id extends ImageId>(
  items: ReadonlyArray<SplitItem<Id>>,
  options: SplitOptions,
): SplitResult<Id> {
  const fractions = splitFractions(options);
  const keep = options.keepExisting ?? true;
  const random = seededRandom(options.seed);
  const assignment = new Map<Id, Split>();
  let kept = 0;
  for (const members of byClass(items).values()) {
    const fixed = [0, 0, 0];
    const free: SplitItem<Id>[] = [];
    for (const item of members) {
      if (keep && item.split) {
        assignment.set(item.id, item.split);
        fixed[SPLITS.indexOf(item.split)]++;
        kept++;
      } else free.push(item);
    }
    const quota = freeQuota(members.length, fixed, free.length, fractions);
    let next = 0;
    const order = shuffled(free, random);
    quota.forEach((count, s) => {
      for (let k = 0; k < count; k++) assignment.set(order[next++].id, SPLITS[s]);
    });
  }
  return { assignment, kept, warnings: [] };
}

export interface Unit<Id extends ImageId> {
  key: string;
  ids: Id[];
  /** Class -> count within the unit. */
  classes: Map<string, number>;
  /** Existing splits among the members (when kept). */
  fixed: Split[];
}

/** Groups as units; an image without a group is a unit of one. Sorted for reproducibility. */
export function groupUnits<Id extends ImageId>(items: ReadonlyArray<SplitItem<Id>>, keepExisting: boolean): Unit<Id>[] {
  const units = new Map<string, Unit<Id>>();
  for (const item of [...items].sort((a, b) => compareIds(a.id, b.id))) {
    const key = item.group != null && item.group !== '' ? `g:${item.group}` : `i:${String(item.id)}`;
    const unit: Unit<Id> = units.get(key) ?? { key, ids: [], classes: new Map(), fixed: [] };
    unit.ids.push(item.id);
    const label = item.label ?? UNLABELLED;
    unit.classes.set(label, (unit.classes.get(label) ?? 0) + 1);
    if (keepExisting && item.split) unit.fixed.push(item.split);
    units.set(key, unit);
  }
  return [...units.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The split holding most of the given ones; ties go to train, then val. */
export function majority(splits: readonly Split[]): Split {
  const counts = SPLITS.map((s) => splits.filter((x) => x === s).length);
  return SPLITS[counts.indexOf(Math.max(...counts))];
}

/**
 * Greedy bin filling: units go, largest first (equal sizes in seeded random order), to the
 * bin where they most reduce the squared shortfall against each bin's per-class target,
 * relative to that target so a small validation set counts as much as a large training set.
 * Used for grouped splits (bins = splits) and grouped folds (bins = folds).
 */
export function fillBins<Id extends ImageId>(
  units: ReadonlyArray<Unit<Id>>,
  targets: Array<Map<string, number>>,
  filled: Array<Map<string, number>>,
  random: Random,
): Map<string, number> {
  const chosen = new Map<string, number>();
  const order = shuffled(units, random).sort((a, b) => b.ids.length - a.ids.length);
  for (const unit of order) {
    let best = -1;
    let bestCost = Infinity;
    targets.forEach((target, bin) => {
      if ([...target.values()].every((t) => t === 0)) return;
      let cost = 0;
      for (const [label, g] of unit.classes) {
        const t = target.get(label) ?? 0;
        const have = filled[bin].get(label) ?? 0;
        cost += (g * (2 * (have - t) + g)) / Math.max(1, t);
      }
      if (cost < bestCost - 1e-12) [best, bestCost] = [bin, cost];
    });
    chosen.set(unit.key, best);
    for (const [label, g] of unit.classes) filled[best].set(label, (filled[best].get(label) ?? 0) + g);
  }
  return chosen;
}

/** Group-aware split: whole groups go to one split, classes approximately stratified. */
export function groupedSplit<Id extends ImageId>(
  items: ReadonlyArray<SplitItem<Id>>,
  options: SplitOptions,
): SplitResult<Id> {
  const fractions = splitFractions(options);
  const keep = options.keepExisting ?? true;
  const units = groupUnits(items, keep);
  const totals = new Map<string, number>();
  for (const u of units) for (const [label, c] of u.classes) totals.set(label, (totals.get(label) ?? 0) + c);
  const targets = fractions.map((f) => new Map([...totals].map(([label, c]) => [label, c * f])));
  const filled = SPLITS.map(() => new Map<string, number>());
  const assignment = new Map<Id, Split>();
  const warnings: string[] = [];
  let kept = 0;
  for (const u of units.filter((x) => x.fixed.length > 0)) {
    const split = majority(u.fixed);
    if (new Set(u.fixed).size > 1) {
      warnings.push(
        `${groupName(u.key.slice(2))} already spans ${[...new Set(u.fixed)].join(' and ')}; its images are kept where they are and the rest join ${split}`,
      );
    }
    kept += u.fixed.length;
    for (const [label, c] of u.classes)
      filled[SPLITS.indexOf(split)].set(label, (filled[SPLITS.indexOf(split)].get(label) ?? 0) + c);
    u.ids.forEach((id) => assignment.set(id, split));
  }
  if (keep) for (const item of items) if (item.split) assignment.set(item.id, item.split);
  const chosen = fillBins(
    units.filter((x) => x.fixed.length === 0),
    targets,
    filled,
    seededRandom(options.seed),
  );
  for (const u of units) if (chosen.has(u.key)) u.ids.forEach((id) => assignment.set(id, SPLITS[chosen.get(u.key)!]));
  return { assignment, kept, warnings };
}

/** Grouped when any image has a group, exactly stratified otherwise. */
export function assignSplits<Id extends ImageId>(
  items: ReadonlyArray<SplitItem<Id>>,
  options: SplitOptions,
): SplitResult<Id> {
  return items.some((i) => i.group != null && i.group !== '')
    ? groupedSplit(items, options)
    : stratifiedSplit(items, options);
}

// Split assignment over the project's images: group keys from the user's choice, the
// assignment above, and folds for cross-validation.

function csvRows(file: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(decodeUtf8(readNamedFile(file, `the group CSV ${file}`)));
  if (!header)
    throw new StudioError('invalid-input', `The group CSV ${file} is empty; it needs a header with a path column.`);
  const names = header.fields.map((h) => h.trim());
  return records.map((r) => Object.fromEntries(names.map((n, i) => [n, r.fields[i] ?? ''])));
}

export function groupKeyFor(groupBy: GroupBy): { key: GroupKey; relative: boolean } {
  try {
    if (groupBy.kind === 'folder') return { key: folderGroup(groupBy.level), relative: true };
    if (groupBy.kind === 'pattern') return { key: patternGroup(groupBy.regex), relative: false };
    return { key: csvGroup(csvRows(groupBy.file), groupBy.column), relative: false };
  } catch (err) {
    if (err instanceof StudioError) throw err;
    throw new StudioError('invalid-input', `Group by ${groupBy.kind}: ${(err as Error).message}`);
  }
}

export interface SplitPlan {
  moves: { imageId: number; split: Split | null }[];
  groups: Map<number, string | null>;
  folds: Map<number, number> | null;
  kept: number;
  warnings: string[];
}

export function planSplit(
  rows: readonly CurationRow[],
  o: { val: number; test: number; seed: number; groupBy?: GroupBy; folds?: number; keepPredefined: boolean },
  clusters: ReadonlyArray<readonly number[]> = [],
): SplitPlan {
  const group = o.groupBy ? groupKeyFor(o.groupBy) : null;
  const groups = new Map<number, string | null>();
  for (const r of rows) {
    const path = group?.relative ? r.relPath : r.path;
    groups.set(r.id, group && path ? group.key(path) : null);
  }
  const joined = groupsWithClusters(
    rows.map((r) => ({ id: r.id, hash: r.hash, group: groups.get(r.id)! })),
    clusters,
  );
  // The algorithms order images by the id they are given: the content hash, so a seed gives
  // the same split whatever order the images were imported in (ids follow import order).
  const items: SplitItem<string>[] = rows.map((r) => ({
    id: r.hash,
    label: r.label,
    split: r.split,
    group: joined.get(r.id) ?? null,
  }));
  let result;
  try {
    result = assignSplits(items, { val: o.val, test: o.test, seed: o.seed, keepExisting: o.keepPredefined });
  } catch (err) {
    throw new StudioError('invalid-input', (err as Error).message);
  }
  const moves = rows.map((r) => ({ imageId: r.id, split: result.assignment.get(r.hash) ?? null }));
  let folds: Map<number, number> | null = null;
  if (o.folds) {
    const pool = items.filter((i) => result.assignment.get(i.id) !== 'test').map((i) => ({ ...i, split: null }));
    try {
      const byHash = assignFolds(pool, { k: o.folds, seed: o.seed });
      folds = new Map(rows.filter((r) => byHash.has(r.hash)).map((r) => [r.id, byHash.get(r.hash)!]));
    } catch (err) {
      throw new StudioError('invalid-input', `Folds: ${(err as Error).message}`);
    }
  }
  return { moves, groups, folds, kept: result.kept, warnings: result.warnings };
}
