// Curation over the open project: the background reduction scan, duplicates and leakage,
// split assignment, the manifest, health and CSV exchange. Every label or split change goes
// through the labels service as one undoable edit.
import type {
  CurationProgress,
  DuplicatesReport,
  FixLeakageOutput,
  HealthReport,
  GroupBy,
  SplitOutput,
} from '../../../src-shared/curation';
import type { ParsedInput, Slice } from '../../../src-shared/contract';
import type { EditResult, Split } from '../../../src-shared/schemas';
import type { Database } from '../../store/db';
import * as labels from '../labels/labels';
import type { Project } from '../project/project';
import { plural } from '../../../src-shared/plural';
import { trainingRows } from '../../store/repos/images';
import { countPendingReductions } from '../../store/repos/reductions';
import { exportLabelsCsv, importLabelsCsv } from './csv';
import { duplicatesReport, leakageFixes, nearClusters, PrintCache } from './duplicates';
import { healthOf } from './health';
import { saveSplitSnapshot } from './split-snapshot';
import { scanReductions } from './reduction-scan';
import { planSplit } from './algorithms/splits';

type Edit = <R extends EditResult>(change: (db: Database, now: number) => R) => R;

export interface CurationDeps {
  /** Runs a change and announces it (Studio's #edit), so undo and other windows follow. */
  edit: Edit;
  progress: (p: CurationProgress) => void;
  clock: () => number;
  /** Told each file a CSV export wrote (the server offers it to a browser as a download). */
  exported?: (files: string[]) => void;
}

function groupedBy(g: GroupBy | undefined): string {
  if (!g) return '';
  return g.kind === 'folder'
    ? `, grouped by folder ${g.level}`
    : g.kind === 'pattern'
      ? `, grouped by /${g.regex}/`
      : `, grouped by ${g.column}`;
}

/** The curation slice of the contract (its CSV files are checked by the contract's path guard). */
export class CurationService implements Slice<'curation'> {
  readonly #cache = new PrintCache();
  #scan: Promise<number> | null = null;

  constructor(
    readonly project: Project,
    readonly deps: CurationDeps,
  ) {}

  get #db(): Database {
    return this.project.db;
  }

  /** Reduces images that lack a reduction; one scan at a time, which picks up images added meanwhile. */
  scan(): Promise<number> {
    this.#scan ??= scanReductions(this.#db, this.project.thumbsDir, this.deps.progress).finally(
      () => (this.#scan = null),
    );
    return this.#scan;
  }

  pending(): number {
    return countPendingReductions(this.#db);
  }

  async duplicates(): Promise<DuplicatesReport> {
    await this.scan();
    return duplicatesReport(this.#db, this.#cache, this.deps.progress);
  }

  async health(): Promise<HealthReport> {
    const dupes = await this.duplicates();
    return healthOf(this.#db, dupes, this.pending());
  }

  async fixLeakage({ clusterId }: ParsedInput<'curation', 'fixLeakage'>): Promise<FixLeakageOutput> {
    await this.scan();
    const fixes = await leakageFixes(this.#db, this.#cache, clusterId, this.deps.progress);
    const moves = fixes.flatMap((f) =>
      f.moves.map((m) => ({ imageId: m.id, split: m.to as Split | null, from: m.from })),
    );
    const moved = moves.map((m) => `${m.from}->${m.split}`);
    const tally = [...new Set(moved)].map((k) => `${moved.filter((x) => x === k).length} ${k}`).join(', ');
    const description = `Kept ${plural(fixes.length, 'near-duplicate cluster')} in one split (moved ${plural(moves.length, 'image')}: ${tally || 'none'})`;
    const out = this.deps.edit((db, now) => labels.setSplits(db, moves, now, description));
    return { ...out, moved: moves.length, clusters: fixes.length, description };
  }

  async split(input: ParsedInput<'curation', 'split'>): Promise<SplitOutput> {
    // Clusters first (they may take a search), then the plan from rows read just before the write.
    const clusters = input.keepClusters ? await this.#clusters() : [];
    const plan = planSplit(trainingRows(this.#db), input, clusters);
    const counts = { train: 0, val: 0, test: 0, none: 0 };
    for (const m of plan.moves) counts[m.split ?? 'none']++;
    const kept = clusters.length ? `, ${plural(clusters.length, 'near-duplicate cluster')} kept together` : '';
    const description = `Split ${counts.train}/${counts.val}/${counts.test} (train/val/test, seed ${input.seed}${groupedBy(input.groupBy)}${kept})`;
    // Groups and folds describe the split, so they change (and undo) with it, in one edit.
    const moves = plan.moves.map((m) => ({
      ...m,
      groupKey: plan.groups.get(m.imageId) ?? null,
      fold: plan.folds?.get(m.imageId) ?? null,
    }));
    const out = this.deps.edit((db, now) => labels.setSplits(db, moves, now, description));
    const groups = new Set([...plan.groups.values()].filter((v) => v !== null)).size;
    return {
      ...out,
      counts,
      groups,
      kept: plan.kept,
      clusters: clusters.length,
      folds: input.folds ?? null,
      warnings: plan.warnings,
    };
  }

  /** Near-duplicate clusters of two or more images. */
  async #clusters(): Promise<number[][]> {
    await this.scan();
    return nearClusters(this.#db, this.#cache, this.deps.progress);
  }

  manifest(params: Record<string, unknown> = {}): { id: number; digest: string; created: boolean } {
    return saveSplitSnapshot(this.#db, trainingRows(this.#db), this.deps.clock(), params);
  }

  exportCsv({ file }: { file: string }): { file: string; rows: number } {
    const out = exportLabelsCsv(this.#db, file);
    this.deps.exported?.([out.file]);
    return out;
  }

  importCsv({ file }: { file: string }) {
    return this.deps.edit((db, now) => importLabelsCsv(db, file, now));
  }
}
