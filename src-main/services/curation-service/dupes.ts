// Duplicates over the store: exact copies (one image, several paths) and near-duplicate
// clusters from the reductions, each with the splits it touches and whether it leaks.
import type { DuplicateCluster, DuplicatesReport, ExactGroup } from '../../../src-shared/curation';
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import { findNearDuplicates, imagePrint, type ImagePrint } from '../curation/duplicates';
import { findLeakage, fixLeakage, type LeakageFix } from '../curation/leakage';
import { countProblemsOfKind, curationRows, multiPathImages, reductions, type CurationRow } from './rows';

const ORDER: readonly Split[] = ['train', 'val', 'test'];

/**
 * Near-duplicate clusters depend only on the reductions, which never change for an image id,
 * while splits change with every edit: the clusters are kept until the set of reduced images
 * changes, so the Health page can reload after each edit without searching again (seconds
 * at a few thousand images).
 */
export class PrintCache {
  readonly #prints = new Map<number, ImagePrint>();
  #clusters: { key: string; ids: number[][] } | null = null;

  prints(db: Database): { ids: number[]; prints: ImagePrint[] } {
    const ids: number[] = [];
    const prints: ImagePrint[] = [];
    for (const { id, reduction } of reductions(db)) {
      let p = this.#prints.get(id);
      if (!p) this.#prints.set(id, (p = imagePrint(reduction)));
      ids.push(id);
      prints.push(p);
    }
    return { ids, prints };
  }

  clusters(db: Database, search: () => number[][]): number[][] {
    const k = db.prepare('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi, total(id) AS sum FROM images WHERE reduction IS NOT NULL').get() as Record<string, number>;
    const key = `${k.n}:${k.lo}:${k.hi}:${k.sum}`;
    if (this.#clusters?.key !== key) this.#clusters = { key, ids: search() };
    return this.#clusters.ids;
  }
}

/** Near-duplicate clusters as image ids, each sorted, ordered by their smallest id. */
export function nearClusters(db: Database, cache: PrintCache): number[][] {
  return cache.clusters(db, () => {
    const { ids, prints } = cache.prints(db);
    const { clusters } = findNearDuplicates(prints);
    return clusters.map((c) => c.map((i) => ids[i]).sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
  });
}

function exactGroups(db: Database, byId: Map<number, CurationRow>): ExactGroup[] {
  return multiPathImages(db).map(({ imageId, paths }) => {
    const row = byId.get(imageId)!;
    return { imageId, hash: row.hash, split: row.split, paths };
  });
}

export function duplicatesReport(db: Database, cache: PrintCache): DuplicatesReport {
  const rows = curationRows(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const clusters: DuplicateCluster[] = nearClusters(db, cache).map((ids) => {
    const members = ids.map((id) => {
      const r = byId.get(id)!;
      return { id, hash: r.hash, split: r.split, classId: r.classId, path: r.path };
    });
    const splits = ORDER.filter((s) => members.some((m) => m.split === s));
    return { id: ids[0], members, splits, leaking: splits.length > 1 };
  });
  // Leaking clusters first: they are what a person has to act on.
  clusters.sort((a, b) => Number(b.leaking) - Number(a.leaking) || a.id - b.id);
  return {
    exact: exactGroups(db, byId),
    clusters,
    leaking: clusters.filter((c) => c.leaking).length,
    conflicts: countProblemsOfKind(db, ['label-conflict', 'split-conflict']),
  };
}

/** The moves that keep each chosen leaking cluster in one split. */
export function leakageFixes(db: Database, cache: PrintCache, clusterId: number | 'all'): LeakageFix<number>[] {
  const clusters = nearClusters(db, cache).filter((c) => clusterId === 'all' || c[0] === clusterId);
  const splits = new Map(curationRows(db).map((r) => [r.id, r.split]));
  return fixLeakage(findLeakage(clusters, splits));
}
