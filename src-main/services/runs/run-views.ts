// The runs as the contract shows them: table rows, one run in full, its epochs per phase,
// its test predictions, and a k-fold group's mean and spread.
import { deepFreeze, RunConfig } from '../../../src-shared/engine-config';
import { meanStd } from '../../../src-shared/engine-metrics';
import type { EpochMetrics } from '../../../src-shared/engine-metrics';
import { RunResult } from '../../../src-shared/engine-protocol';
import { keptEpoch } from '../../../src-shared/epochs';
import { etaOf } from '../../../src-shared/run-time';
import { StudioError } from '../../../src-shared/errors';
import type { GroupSummary, RunDetail, RunEpochs, RunPrediction, RunSummary } from '../../../src-shared/runs';
import type { Database } from '../../store/db';
import { getFindings } from '../../store/repos/findings';
import { getManifest, getManifestDigest } from '../../store/repos/manifests';
import {
  getGroup,
  getRunRow,
  listEpochs,
  listEpochTimes,
  pagePredictions,
  runRowsOfGroup,
} from '../../store/repos/runs';
import type { PredictionFilter, RunListRow, RunRow, RunSummaryColumns } from '../../store/repos/runs';
import { thawImageList } from './run-image-list';
import type { RunImageList } from './run-image-list';

export function needRun(db: Database, id: number): RunRow {
  const row = getRunRow(db, id);
  if (!row)
    throw new StudioError('not-found', `There is no run ${id} in this project; list the runs to see their ids.`);
  return row;
}

/** Each open database's parsed configs by run id, with the text they were parsed from. */
const parsed = new WeakMap<Database, Map<number, { text: string; config: RunConfig }>>();

/**
 * The one read of a stored config, parsed once per run and process: the doctor asks after
 * every epoch, a bake-off's table for each of its runs on every reload. It was parsed at
 * the contract's door before it was stored, but the row may have been written by an older
 * build: parsing fills what the schema has gained since (a field with a default), so old
 * runs still resume and show. Frozen, since every caller shares it.
 */
export function storedConfig(db: Database, row: RunRow): RunConfig {
  let byRun = parsed.get(db);
  if (!byRun) parsed.set(db, (byRun = new Map()));
  const hit = byRun.get(row.id);
  if (hit?.text === row.config) return hit.config;
  const config = deepFreeze(RunConfig.parse(JSON.parse(row.config)));
  byRun.set(row.id, { text: row.config, config });
  return config;
}

/** The list's view of a running run, from the row's columns: how far it is and how long it has left. */
export function liveOf(db: Database, row: RunListRow): RunSummary['live'] {
  if (row.status !== 'running') return undefined;
  const plan = {
    phase1: { epochs: row.phase1Epochs },
    phase2: row.phase2Epochs === null ? null : { epochs: row.phase2Epochs },
  };
  const eta = etaOf(listEpochTimes(db, row.id), plan);
  return {
    planned: row.phase1Epochs + (row.phase2Epochs ?? 0),
    etaS: eta.seconds,
    untimedPhase2: eta.untimedPhase2,
  };
}

export function summaryOf(row: RunListRow): RunSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    backboneId: row.backboneId,
    inputSize: row.inputSize ?? 0,
    twoPhase: row.phase2Epochs !== null,
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

/** The frozen splits' sizes, from the columns counted when the run was queued; null before a manifest. */
export function splitSizesOf(row: RunListRow): RunDetail['splitSizes'] {
  const { trainCount: train, valCount: val, testCount: test } = row;
  return train === null || val === null || test === null ? null : { train, val, test };
}

export function imageListOf(db: Database, row: RunRow): { digest: string; images: RunImageList } | null {
  const m = row.manifestId === null ? null : getManifest(db, row.manifestId);
  return m ? { digest: m.digest, images: thawImageList(m.body) } : null;
}

export function detailOf(db: Database, row: RunRow): RunDetail {
  return {
    ...summaryOf(row),
    config: storedConfig(db, row),
    seed: row.seed,
    classes: JSON.parse(row.classes) as string[],
    backend: row.backend,
    backboneHash: row.backboneHash,
    manifestDigest: row.manifestId === null ? null : getManifestDigest(db, row.manifestId),
    splitSizes: splitSizesOf(row),
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
    runs: rows.map(summaryOf),
  };
}
