// The split snapshot: the exact images (by content hash) in each split and fold, frozen, with
// a digest, so a run can say which data it saw and a re-run can check it sees the same. Hashes
// rather than paths or row ids: they survive moving the folder and re-importing it.
import { createHash } from 'node:crypto';
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import type { CurationRow } from '../../store/repos/images';
import { storeManifest } from '../../store/repos/manifests';

export interface SplitSnapshotEntry {
  /** Content hash of the image. */
  hash: string;
  split: Split | null;
  /** Cross-validation fold, when folds were assigned. */
  fold?: number | null;
}

export interface SplitSnapshot {
  version: 1;
  /** How the split was made (method, seed, fractions, group key...): for people and re-runs. */
  params: Record<string, unknown>;
  splits: Record<Split, string[]>;
  /** folds[f] = hashes in fold f; null when no folds were assigned. */
  folds: string[][] | null;
  /** Images known but in no split, so a snapshot also says what was left out. */
  unassigned: number;
  /** sha256 (hex) of the canonical JSON of everything above. */
  digest: string;
}

/** JSON with object keys sorted at every level and no spaces: one text per value, for hashing. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`canonical JSON cannot hold ${value}`);
    if (value === undefined) throw new Error('canonical JSON cannot hold undefined');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function snapshotDigest(snapshot: Omit<SplitSnapshot, 'digest'>): string {
  const { digest: _ignored, ...body } = snapshot as SplitSnapshot;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Entries in any order make the same snapshot; one hash twice with different splits is refused. */
export function buildSplitSnapshot(
  entries: readonly SplitSnapshotEntry[],
  params: Record<string, unknown> = {},
): SplitSnapshot {
  const seen = new Map<string, SplitSnapshotEntry>();
  for (const e of entries) {
    const before = seen.get(e.hash);
    if (before && (before.split !== e.split || (before.fold ?? null) !== (e.fold ?? null))) {
      throw new Error(`image ${e.hash} appears twice, in ${before.split ?? 'no split'} and ${e.split ?? 'no split'}`);
    }
    seen.set(e.hash, e);
  }
  const all = [...seen.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const splits: Record<Split, string[]> = { train: [], val: [], test: [] };
  for (const e of all) if (e.split) splits[e.split].push(e.hash);
  const foldCount = Math.max(0, ...all.map((e) => (e.fold ?? -1) + 1));
  const folds = foldCount
    ? Array.from({ length: foldCount }, (_, f) => all.filter((e) => e.fold === f).map((e) => e.hash))
    : null;
  const body = { version: 1 as const, params, splits, folds, unassigned: all.filter((e) => !e.split).length };
  return { ...body, digest: snapshotDigest(body) };
}

/** Whether a stored snapshot is intact (its digest matches its content). */
export function verifySplitSnapshot(snapshot: SplitSnapshot): boolean {
  return snapshotDigest(snapshot) === snapshot.digest;
}

/** Freezes the current split (and folds) into the store by digest; the same split twice is one snapshot (the `manifests` table keeps its old name). */
export function saveSplitSnapshot(
  db: Database,
  rows: readonly CurationRow[],
  now: number,
  params: Record<string, unknown> = {},
): { id: number; digest: string; created: boolean } {
  const snapshot = buildSplitSnapshot(
    rows.map((r) => ({ hash: r.hash, split: r.split, fold: r.fold })),
    params,
  );
  return { ...storeManifest(db, snapshot.digest, JSON.stringify(snapshot), now), digest: snapshot.digest };
}
