// The runs as the contract shows them: table rows, one run in full, its epochs per phase,
// its test predictions, and a k-fold group's mean and spread.
import { RunConfig } from '../../../src-shared/engine-config';
import { meanStd } from '../../../src-shared/engine-metrics';
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import { RunResult } from '../../../src-shared/engine-protocol';
import { keptEpoch } from '../../../src-shared/epochs';
import { etaOf } from '../../../src-shared/run-time';
import { StudioError } from '../../../src-shared/errors';
import type { GroupSummary, RunDetail, RunEpochs, RunPrediction, RunSummary } from '../../../src-shared/runs';
import type { Database } from '../../store/db';
import { getFindings } from '../../store/repos/findings';
import { getManifest } from '../../store/repos/manifests';
import {
  getGroup,
  getRunRow,
  listEpochs,
  listEpochTimes,
  pagePredictions,
  runRowsOfGroup,
} from '../../store/repos/runs';
import type { PredictionFilter, RunRow, RunSummaryColumns } from '../../store/repos/runs';
import { thawImageList } from './run-image-list';
import type { RunImageList } from './run-image-list';

export function needRun(db: Database, id: number): RunRow {
  const row = getRunRow(db, id);
  if (!row)
    throw new StudioError('not-found', `There is no run ${id} in this project; list the runs to see their ids.`);
  return row;
}

/**
 * The one read of a stored config. It was parsed at the contract's door before it was
 * stored, but the row may have been written by an older build: parsing fills what the
 * schema has gained since (a field with a default), so old runs still resume and show.
 */
export function configOf(row: RunRow): RunConfig {
  return RunConfig.parse(JSON.parse(row.config));
}

/** The list's view of a running run: how far it is and how long it has left. */
export function liveOf(db: Database, row: RunRow, config: RunConfig = configOf(row)): RunSummary['live'] {
  if (row.status !== 'running') return undefined;
  const eta = etaOf(listEpochTimes(db, row.id), config);
  return {
    planned: config.phase1.epochs + (config.phase2?.epochs ?? 0),
    etaS: eta.seconds,
    untimedPhase2: eta.untimedPhase2,
  };
}

export function summaryOf(row: RunRow, config: RunConfig = configOf(row)): RunSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    backboneId: row.backboneId,
    inputSize: config.inputSize ?? 0,
    twoPhase: config.phase2 !== null,
    epochs: row.epochs,
    bestPhase: row.bestPhase,
    bestEpoch: row.bestEpoch,
    bestValAcc: row.bestValAcc,
    bestMacroF1: row.bestMacroF1,
    gap: row.gap,
    testAcc: row.testAcc,
    testMacroF1: row.testMacroF1,
    valCount: row.valCount,
    testCount: row.testCount,
    trainMs: row.trainMs,
    modelBytes: row.modelBytes,
    groupId: row.groupId,
    fold: row.fold,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    message: row.message,
  };
}

export function imageListOf(db: Database, row: RunRow): { digest: string; images: RunImageList } | null {
  const m = row.manifestId === null ? null : getManifest(db, row.manifestId);
  return m ? { digest: m.digest, images: thawImageList(m.body) } : null;
}

export function detailOf(db: Database, row: RunRow): RunDetail {
  const m = imageListOf(db, row);
  const config = configOf(row);
  return {
    ...summaryOf(row, config),
    config,
    seed: row.seed,
    classes: JSON.parse(row.classes) as string[],
    backend: row.backend,
    backboneHash: row.backboneHash,
    manifestDigest: m?.digest ?? null,
    splitSizes: m ? { train: m.images.train.length, val: m.images.val.length, test: m.images.test.length } : null,
    result: row.result ? RunResult.parse(JSON.parse(row.result)) : null,
    doctor: doctorOf(db, row.id),
  };
}

function doctorOf(db: Database, runId: number): RunDetail['doctor'] {
  const stored = getFindings(db, runId);
  return stored ? { findings: stored.findings, final: stored.final } : null;
}

export function epochsOf(db: Database, runId: number): RunEpochs {
  const all = listEpochs(db, runId);
  return { phase1: all.filter((m) => m.phase === 1), phase2: all.filter((m) => m.phase === 2) };
}

/** The columns at the epoch whose weights the run keeps (see keptEpoch), so the table, the banner and the test figures agree. */
export function summarizeEpochs(epochs: EpochMetrics[], config: RunConfig): RunSummaryColumns {
  const best = keptEpoch(epochs, config)?.metrics ?? null;
  return {
    epochs: epochs.length,
    bestPhase: best?.phase ?? null,
    bestEpoch: best?.epoch ?? null,
    bestValAcc: best?.valAcc ?? null,
    bestMacroF1: best?.valMacroF1 ?? null,
    gap: best && best.valAcc !== null ? best.trainAcc - best.valAcc : null,
  };
}

export function predictionsOf(
  db: Database,
  runId: number,
  f: PredictionFilter,
  offset: number,
  limit: number,
): { total: number; items: RunPrediction[] } {
  needRun(db, runId);
  return pagePredictions(db, runId, f, offset, limit);
}

function stat(rows: RunRow[], pick: (r: RunRow) => number | null): GroupSummary['metrics']['bestValAcc'] {
  const values = rows.map(pick).filter((v): v is number => v !== null);
  return values.length ? { ...meanStd(values), n: values.length } : null;
}

export function groupSummaryOf(db: Database, groupId: number): GroupSummary {
  const group = getGroup(db, groupId);
  if (!group)
    throw new StudioError(
      'not-found',
      `There is no run group ${groupId} in this project; k-fold runs show their group id in the runs list.`,
    );
  const rows = runRowsOfGroup(db, groupId);
  const done = rows.filter((r) => r.status === 'done');
  return {
    groupId,
    name: group.name,
    folds: group.folds,
    done: done.length,
    metrics: {
      bestValAcc: stat(done, (r) => r.bestValAcc),
      bestMacroF1: stat(done, (r) => r.bestMacroF1),
      gap: stat(done, (r) => r.gap),
      testAcc: stat(done, (r) => r.testAcc),
      testMacroF1: stat(done, (r) => r.testMacroF1),
      epochs: stat(done, (r) => r.epochs),
      trainMs: stat(done, (r) => r.trainMs),
    },
    runs: rows.map((r) => summaryOf(r)),
  };
}
