// Duplicates over the store: exact copies (one image, several paths) and near-duplicate
// clusters from the reductions, each with the splits it touches and whether it leaks.
import { TimeSlices } from './algorithms/slices';
import { findNearDuplicatesAsync, imagePrint, type ImagePrint } from './algorithms/near-duplicates';
import type { CurationProgress, DuplicateCluster, DuplicatesReport, ExactGroup } from '../../../src-shared/curation';
import type { Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import { findLeakage, fixLeakage, type LeakageFix } from './algorithms/leakage';
import { curationRows, multiPathImages, trainingRows, type CurationRow } from '../../store/repos/images';
import { countProblems } from '../../store/repos/problems';
import { reducedSetKey, reductions } from '../../store/repos/reductions';

const ORDER: readonly Split[] = ['train', 'val', 'test'];

/**
 * Near-duplicate clusters depend only on the reductions, which never change for an image id,
 * while splits change with every edit: the clusters are kept until the set of reduced images
 * changes, so the Health page can reload after each edit without searching again (seconds
 * at a few thousand images, minutes at tens of thousands). Callers that ask while a search
 * runs share it.
 */
export class PrintCache {
  readonly #prints = new Map<number, ImagePrint>();
  #clusters: { key: string; ids: Promise<number[][]> } | null = null;

  async prints(db: Database): Promise<{ ids: number[]; prints: ImagePrint[] }> {
    const ids: number[] = [];
    const prints: ImagePrint[] = [];
    // Like the search, in slices: tens of thousands of prints take seconds.
    const slices = new TimeSlices();
    for (const { id, reduction } of reductions(db)) {
      let p = this.#prints.get(id);
      if (!p) this.#prints.set(id, (p = imagePrint(reduction)));
      ids.push(id);
      prints.push(p);
      if (slices.due) await slices.turn();
    }
    return { ids, prints };
  }

  clusters(db: Database, search: () => Promise<number[][]>): Promise<number[][]> {
    const key = reducedSetKey(db);
    if (this.#clusters?.key !== key) {
      const ids = search();
      this.#clusters = { key, ids };
      // A failed search is not kept: the next caller tries again.
      ids.catch(() => this.#clusters?.ids === ids && (this.#clusters = null));
    }
    return this.#clusters.ids;
  }
}

/** Near-duplicate clusters as image ids, each sorted, ordered by their smallest id; progress per mille. */
export function nearClusters(
  db: Database,
  cache: PrintCache,
  progress: (p: CurationProgress) => void = () => {},
): Promise<number[][]> {
  return cache.clusters(db, async () => {
    const { ids, prints } = await cache.prints(db);
    const report = (stage: 'comparing' | 'registering', fraction: number, running: boolean) =>
      progress({ stage, done: Math.round(fraction * 1000), total: 1000, running });
    const { clusters } = await findNearDuplicatesAsync(prints, {}, (p) => report(p.stage, p.fraction, true));
    report('registering', 1, false);
    return clusters.map((c) => c.map((i) => ids[i]).sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
  });
}

function exactGroups(db: Database, byId: Map<number, CurationRow>): ExactGroup[] {
  return multiPathImages(db).map(({ imageId, paths }) => {
    const row = byId.get(imageId)!;
    return { imageId, hash: row.hash, split: row.split, paths };
  });
}

export async function duplicatesReport(
  db: Database,
  cache: PrintCache,
  progress?: (p: CurationProgress) => void,
): Promise<DuplicatesReport> {
  const near = await nearClusters(db, cache, progress);
  const rows = curationRows(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const clusters: DuplicateCluster[] = near.flatMap((ids) => {
    const members = ids.map((id) => {
      const r = byId.get(id)!;
      return { id, hash: r.hash, split: r.split, classId: r.classId, path: r.path, excluded: r.excluded };
    });
    const active = members.filter((m) => !m.excluded);
    if (active.length < 2) return [];
    const splits = ORDER.filter((s) => active.some((m) => m.split === s));
    return [{ id: ids[0], members, splits, leaking: splits.length > 1 }];
  });
  // Leaking clusters first: they are what a person has to act on.
  clusters.sort((a, b) => Number(b.leaking) - Number(a.leaking) || a.id - b.id);
  return {
    exact: exactGroups(db, byId),
    clusters,
    leaking: clusters.filter((c) => c.leaking).length,
    conflicts: countProblems(db, ['label-conflict', 'split-conflict']),
  };
}

/** The moves that keep each chosen leaking cluster in one split. */
export async function leakageFixes(
  db: Database,
  cache: PrintCache,
  clusterId: number | 'all',
  progress?: (p: CurationProgress) => void,
): Promise<LeakageFix<number>[]> {
  const clusters = (await nearClusters(db, cache, progress)).filter((c) => clusterId === 'all' || c[0] === clusterId);
  // Excluded images are in no split as far as leakage goes: they are never moved.
  const splits = new Map(trainingRows(db).map((r) => [r.id, r.split]));
  return fixLeakage(findLeakage(clusters, splits));
}
