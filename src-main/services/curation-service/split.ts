// Split assignment over the store: group keys from the user's choice, stratified (grouped)
// train/val/test from the pure algorithms, folds for cross-validation, and the manifest.
import { readFileSync } from 'node:fs';
import type { GroupBy } from '../../../src-shared/curation';
import { StudioError } from '../../../src-shared/errors';
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import { parseCsv } from '../curation/csv';
import { decodeUtf8 } from '../curation/text-encoding';
import { assignFolds } from '../curation/folds';
import { csvGroup, folderGroup, patternGroup, type GroupKey } from '../curation/group-keys';
import { buildManifest } from '../curation/manifest';
import { assignSplits, type SplitItem } from '../curation/splits';
import type { CurationRow } from '../../store/repos/images';
import { storeManifest } from '../../store/repos/manifests';

function csvRows(file: string): Record<string, string>[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new StudioError('not-found', `Cannot read the group CSV ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Check the path.`);
  }
  const [header, ...records] = parseCsv(decodeUtf8(bytes));
  if (!header) throw new StudioError('invalid-input', `The group CSV ${file} is empty; it needs a header with a path column.`);
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
): SplitPlan {
  const group = o.groupBy ? groupKeyFor(o.groupBy) : null;
  const groups = new Map<number, string | null>();
  // The algorithms order images by the id they are given: the content hash, so a seed gives
  // the same split whatever order the images were imported in (ids follow import order).
  const items: SplitItem<string>[] = rows.map((r) => {
    const path = group?.relative ? r.relPath : r.path;
    const g = group && path ? group.key(path) : null;
    groups.set(r.id, g);
    return { id: r.hash, label: r.label, split: r.split, group: g };
  });
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

/** Freezes the current split (and folds) by digest; the same split twice is one manifest. */
export function freezeManifest(db: Database, rows: readonly CurationRow[], now: number, params: Record<string, unknown> = {}): { id: number; digest: string; created: boolean } {
  const manifest = buildManifest(rows.map((r) => ({ hash: r.hash, split: r.split, fold: r.fold })), params);
  return { ...storeManifest(db, manifest.digest, JSON.stringify(manifest), now), digest: manifest.digest };
}
