// The training doctor for stored runs: gathers what the pure rules read (epochs, split
// sizes, config, test report, the images' statistics, leakage across this run's splits),
// runs them, and stores the findings with the run: live as epochs end, final when it ends.
import { diagnose } from '../../../src-shared/training-doctor';
import type { DoctorInput, Finding, InputStats } from '../../../src-shared/training-doctor';
import { RunResult } from '../../../src-shared/engine-protocol';
import type { Database } from '../../store/db';
import { setFindings } from '../../store/repos/findings';
import { hashesOfIds } from '../../store/repos/images';
import { reductionsOfHashes } from '../../store/repos/reductions';
import { listEpochs } from '../../store/repos/runs';
import type { RunImageList } from './run-image-list';
import { imageListOf, needRun, splitSizesOf, storedConfig } from './run-views';

/** Mean grey level (0-255) of the 32x32 reduction at or below which an image is nearly black, and its mirror for white. */
const DARK = 16;

/** Near-duplicate clusters of the project as image ids; the curation service's search. */
export type ClusterSource = () => Promise<number[][]>;

export interface DoctorDeps {
  clusters?: ClusterSource;
  clock?: () => number;
}

/**
 * What the rules read about a stored run. After each epoch that is the row, its epochs and
 * its cached config; the frozen image list (a few megabytes, hashed when read) is passed in
 * only at the end, for the image statistics.
 */
export function doctorInput(db: Database, runId: number, final: { images: RunImageList | null } | null): DoctorInput {
  const row = needRun(db, runId);
  const result = row.result ? RunResult.parse(JSON.parse(row.result)) : null;
  const m = final?.images ?? null;
  return {
    epochs: listEpochs(db, runId),
    config: storedConfig(db, row),
    classes: JSON.parse(row.classes) as string[],
    splitSizes: splitSizesOf(row),
    final: final !== null,
    test: result?.test ?? null,
    featureShape: result?.featureShape ?? null,
    inputs: m ? inputStatsOf(db, m) : null,
    inputCheck: result?.inputCheck ?? null,
    parity: (result?.phases ?? []).flatMap((p) =>
      p.trainAccReported === undefined || p.trainAccInference === undefined
        ? []
        : [{ phase: p.phase, reported: p.trainAccReported, inference: p.trainAccInference }],
    ),
  };
}

/** From the importer's records: the reductions' grey levels and the decoded channel count. */
export function inputStatsOf(db: Database, m: RunImageList): InputStats {
  const rows = reductionsOfHashes(
    db,
    m.train.map((e) => e.hash),
  );
  const known = rows.filter((r) => r.channels !== null);
  const transparent = known.length === 0 ? null : known.filter((r) => r.channels === 2 || r.channels === 4).length;
  return { images: rows.length, ...greyExtremes(rows.map((r) => r.reduction)), transparent };
}

/** How many of these 32x32 grey reductions are nearly black or nearly white (an empty or missing one is neither). */
export function greyExtremes(reductions: ReadonlyArray<Uint8Array | null>): {
  nearlyBlack: number;
  nearlyWhite: number;
} {
  let nearlyBlack = 0;
  let nearlyWhite = 0;
  for (const r of reductions) {
    if (!r || r.length === 0) continue;
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    if (mean <= DARK) nearlyBlack++;
    else if (mean >= 255 - DARK) nearlyWhite++;
  }
  return { nearlyBlack, nearlyWhite };
}

/** Clusters whose images sit in more than one of this run's splits. */
export function runLeakage(db: Database, m: RunImageList, clusters: number[][]): { clusters: number; images: number } {
  const splitOf = new Map<string, string>();
  for (const s of ['train', 'val', 'test'] as const) for (const e of m[s]) splitOf.set(e.hash, s);
  const hashOf = hashesOfIds(db, clusters.flat());
  let count = 0;
  let images = 0;
  for (const c of clusters) {
    const inRun = c.map((id) => splitOf.get(hashOf.get(id) ?? '')).filter((s): s is string => s !== undefined);
    if (new Set(inRun).size > 1) {
      count++;
      images += inRun.length;
    }
  }
  return { clusters: count, images };
}

export class TrainingDoctor {
  readonly #clock: () => number;

  constructor(
    private readonly db: Database,
    private readonly deps: DoctorDeps = {},
  ) {
    this.#clock = deps.clock ?? Date.now;
  }

  /** After each epoch: cheap rules only (no image statistics, no duplicate search). */
  live(runId: number): Finding[] {
    const findings = diagnose(doctorInput(this.db, runId, null));
    setFindings(this.db, runId, findings, false, this.#clock());
    return findings;
  }

  /** When the run has ended: every rule, leakage included when a duplicate search is at hand. */
  async final(runId: number): Promise<Finding[]> {
    const m = imageListOf(this.db, needRun(this.db, runId))?.images ?? null;
    const input = doctorInput(this.db, runId, { images: m });
    if (this.deps.clusters && m) input.leakage = runLeakage(this.db, m, await this.deps.clusters());
    const findings = diagnose(input);
    setFindings(this.db, runId, findings, true, this.#clock());
    return findings;
  }
}
