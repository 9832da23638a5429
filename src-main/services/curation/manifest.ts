// The split manifest: the exact images (by content hash) in each split and fold, frozen, with
// a digest, so a run can say which data it saw and a re-run can check it sees the same. Hashes
// rather than paths or row ids: they survive moving the folder and re-importing it.
import { createHash } from 'node:crypto';
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import type { CurationRow } from '../../store/repos/images';
import { storeManifest } from '../../store/repos/manifests';

export interface SplitManifestEntry {
  /** Content hash of the image. */
  hash: string;
  split: Split | null;
  /** Cross-validation fold, when folds were assigned. */
  fold?: number | null;
}

export interface SplitManifest {
  version: 1;
  /** How the split was made (method, seed, fractions, group key...): for people and re-runs. */
  params: Record<string, unknown>;
  splits: Record<Split, string[]>;
  /** folds[f] = hashes in fold f; null when no folds were assigned. */
  folds: string[][] | null;
  /** Images known but in no split, so a manifest also says what was left out. */
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

export function manifestDigest(manifest: Omit<SplitManifest, 'digest'>): string {
  const { digest: _ignored, ...body } = manifest as SplitManifest;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Entries in any order make the same manifest; one hash twice with different splits is refused. */
export function buildManifest(
  entries: readonly SplitManifestEntry[],
  params: Record<string, unknown> = {},
): SplitManifest {
  const seen = new Map<string, SplitManifestEntry>();
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
  return { ...body, digest: manifestDigest(body) };
}

/** Whether a stored manifest is intact (its digest matches its content). */
export function verifyManifest(manifest: SplitManifest): boolean {
  return manifestDigest(manifest) === manifest.digest;
}

/** Freezes the current split (and folds) into the store by digest; the same split twice is one manifest. */
export function saveSplitManifest(
  db: Database,
  rows: readonly CurationRow[],
  now: number,
  params: Record<string, unknown> = {},
): { id: number; digest: string; created: boolean } {
  const manifest = buildManifest(
    rows.map((r) => ({ hash: r.hash, split: r.split, fold: r.fold })),
    params,
  );
  return { ...storeManifest(db, manifest.digest, JSON.stringify(manifest), now), digest: manifest.digest };
}
