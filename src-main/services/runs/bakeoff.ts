// Backbone bake-offs (seed 003: MobileNetV2 or EfficientNetB0, on accuracy and on training
// time). One plan, several backbones and sizes: each becomes an ordinary run of the queue,
// all on the same frozen manifest and seed, so they differ only in the backbone. The table
// reads the runs as they are stored, so it fills in as they train and survives a restart.
import type { RunConfig } from '../../../src-shared/engine-config';
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import { wilsonInterval } from '../../../src-shared/engine-metrics';
import { headSize } from '../../../src-shared/head-spec';
import { bakeoffRunName, fitInputSize, paretoFront } from '../../../src-shared/bakeoff';
import type {
  BakeoffEntry,
  BakeoffListItem,
  BakeoffRow,
  BakeoffSummary,
  Proportion,
} from '../../../src-shared/bakeoff';
import type { Slice } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import type { RunDetail } from '../../../src-shared/runs';
import { findBackbone } from '../../../src-node-shared/backbones/registry';
import { getBakeoff, insertBakeoff, listBakeoffs } from '../../store/repos/bakeoffs';
import { getManifestDigest } from '../../store/repos/manifests';
import { getRunRow } from '../../store/repos/runs';
import type { Project } from '../project/project';
import { checkedConfig } from './run-start';
import type { RunService } from './run-service';

export interface BakeoffStart {
  config: RunConfig;
  entries: BakeoffEntry[];
  name?: string;
}

const FLOAT32 = 4;

/** The bake-off methods of the runs slice of the contract. */
export class BakeoffService implements Pick<Slice<'runs'>, 'bakeoff' | 'bakeoffs' | 'bakeoffSummary'> {
  readonly #clock: () => number;

  constructor(
    readonly project: Project,
    readonly runs: RunService,
    clock: () => number = Date.now,
  ) {
    this.#clock = clock;
  }

  /** Every entry is checked before any run is queued: a wrong size fails the whole bake-off. */
  bakeoff(input: BakeoffStart): { bakeoffId: number; runIds: number[] } {
    const configs = input.entries.map((e) =>
      checkedConfig({
        ...input.config,
        backboneId: e.backboneId,
        inputSize: e.inputSize ?? planSize(input.config, e.backboneId),
      }),
    );
    const keys = configs.map((c) => `${c.backboneId}@${c.inputSize}`);
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    if (twice)
      throw new StudioError(
        'invalid-input',
        `entries: ${twice.replace('@', ' at ')} px is listed twice; a bake-off compares different backbones or sizes.`,
      );
    const name = input.name ?? `Bake-off: ${keys.map((k) => k.replace('@', ' ')).join(' vs ')}`;
    // The runs and the bake-off's row are one transaction: a failure part-way leaves neither.
    const { runIds, extra: bakeoffId } = this.runs.startAll(
      configs.map((config) => ({ config, name: bakeoffRunName(config.backboneId, config.inputSize, name) })),
      (started) => {
        const ids = started.map((s) => s.runIds[0]!);
        const manifestIds = new Set(ids.map((id) => getRunRow(this.project.db, id)?.manifestId ?? null));
        return insertBakeoff(this.project.db, {
          name,
          seed: input.config.seed,
          // The runs are planned from one store in one go: one manifest; should that ever fail, the table shows it.
          manifestId: manifestIds.size === 1 ? [...manifestIds][0]! : null,
          config: JSON.stringify(input.config),
          createdAt: this.#clock(),
          runIds: ids,
        });
      },
    );
    return { bakeoffId, runIds };
  }

  bakeoffs(): BakeoffListItem[] {
    return listBakeoffs(this.project.db).map((b) => ({
      bakeoffId: b.id,
      name: b.name,
      createdAt: b.createdAt,
      runIds: b.runIds,
    }));
  }

  bakeoffSummary({ bakeoffId }: { bakeoffId: number }): BakeoffSummary {
    const db = this.project.db;
    const b = getBakeoff(db, bakeoffId);
    if (!b)
      throw new StudioError(
        'not-found',
        `There is no bake-off ${bakeoffId} in this project; \`studio bakeoff PROJECT --list\` shows them.`,
      );
    const rows = b.runIds.map((id) => rowOf(this.runs.get({ runId: id }), this.runs.epochs({ runId: id })));
    const finished = rows.filter((r) => r.status === 'done');
    const accuracyOf = finished.length > 0 && finished.every((r) => r.testAcc) ? 'test' : 'val';
    markPareto(rows, accuracyOf);
    return {
      bakeoffId,
      name: b.name,
      createdAt: b.createdAt,
      seed: b.seed,
      manifestDigest: b.manifestId === null ? null : getManifestDigest(db, b.manifestId),
      accuracyOf,
      done: finished.length,
      rows,
    };
  }
}

/** An entry without a size takes the plan's, as near as the backbone allows; a plan without one, the backbone's default. */
function planSize(config: RunConfig, backboneId: string): number | undefined {
  if (config.inputSize === undefined) return undefined;
  let entry;
  try {
    entry = findBackbone(backboneId);
  } catch {
    return config.inputSize;
  }
  return fitInputSize(config.inputSize, {
    allowedInputSizes: entry.allowedInputSizes ?? [entry.inputSize],
    minInputSize: entry.minInputSize ?? null,
  });
}

export function proportion(value: number | null, n: number | undefined): Proportion | null {
  if (value === null || !n) return null;
  const { low, high } = wilsonInterval(Math.round(value * n), n);
  return { value, low, high, n };
}

function meanEpochMs(epochs: EpochMetrics[]): number | null {
  return epochs.length ? epochs.reduce((s, m) => s + m.epochMs, 0) / epochs.length : null;
}

export function rowOf(run: RunDetail, epochs: { phase1: EpochMetrics[]; phase2: EpochMetrics[] }): BakeoffRow {
  const r = run.result;
  const backboneParams = r?.backboneParams ?? findBackboneParams(run.backboneId);
  const headParams = r ? headSize(run.config.head, r.featureShape, run.classes.length).params : null;
  return {
    runId: run.id,
    status: run.status,
    backboneId: run.backboneId,
    inputSize: run.inputSize,
    epochs: run.epochs,
    valAcc: proportion(run.bestValAcc, run.splitSizes?.val),
    valMacroF1: run.bestMacroF1,
    testAcc: proportion(run.testAcc, run.splitSizes?.test),
    testMacroF1: run.testMacroF1,
    phase1EpochMs: meanEpochMs(epochs.phase1),
    phase2EpochMs: meanEpochMs(epochs.phase2),
    cacheMs: r ? r.phases.reduce((s, p) => s + p.featureMs, 0) : null,
    latencyMs: r?.latency?.msPerImage ?? null,
    backboneParams,
    headParams,
    weightBytes: backboneParams !== null && headParams !== null ? (backboneParams + headParams) * FLOAT32 : null,
    pareto: false,
  };
}

function findBackboneParams(id: string): number | null {
  try {
    return findBackbone(id).params ?? null;
  } catch {
    return null;
  }
}

/** The front among finished rows that have both an accuracy and a latency. */
function markPareto(rows: BakeoffRow[], accuracyOf: 'test' | 'val'): void {
  const candidates = rows.flatMap((r) => {
    const acc = accuracyOf === 'test' ? r.testAcc : r.valAcc;
    return r.status === 'done' && acc && r.latencyMs !== null
      ? [{ row: r, accuracy: acc.value, latency: r.latencyMs }]
      : [];
  });
  for (const i of paretoFront(candidates)) candidates[i]!.row.pareto = true;
}
