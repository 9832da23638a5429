// Stored run facts read once: the runs list, a run's page and the live training doctor's
// per-epoch input, as they were (the stored config parsed for every row, the frozen
// manifest thawed and re-hashed for split sizes) against the columns and cached parse now.
// Both ways run in this process on the same project file, interleaved, and must agree.
//   npx tsx bench/run-facts.ts [--runs 500] [--images 20000] [--rounds 30]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deepStrictEqual } from 'node:assert/strict';
import { RUN_DEFAULTS, RunConfig } from '../src-shared/engine-config';
import type { EpochMetrics } from '../src-shared/engine-metrics';
import { etaOf } from '../src-shared/run-time';
import type { RunSummary } from '../src-shared/runs';
import { openDatabase, type Database } from '../src-main/store/db';
import { sql } from '../src-main/store/statements';
import { getManifest, storeManifest } from '../src-main/store/repos/manifests';
import {
  getRunRow,
  insertRun,
  listEpochTimes,
  listRunRows,
  markRunning,
  upsertEpoch,
} from '../src-main/store/repos/runs';
import type { RunRow } from '../src-main/store/repos/runs';
import { freezeImageList, thawImageList, type RunImageList } from '../src-main/services/runs/run-image-list';
import { detailOf, liveOf, summaryOf } from '../src-main/services/runs/run-views';
import { doctorInput } from '../src-main/services/runs/training-doctor';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    images: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '30' },
  },
});
const RUNS = Number(values.runs);
const IMAGES = Number(values.images);
const ROUNDS = Number(values.rounds);

const classes = Array.from({ length: 10 }, (_, k) => `class ${k}`);
const RESULT = JSON.stringify({
  backend: { name: 'wasm', rejected: [], versions: { tfjs: '4.22.0' } },
  backboneHash: 'f'.repeat(64),
  featureShape: [7, 7, 1280],
  phases: [1, 2].map((phase) => ({ phase, epochs: 12, bestEpoch: 8, featureMs: 90_000, stop: { kind: 'completed' } })),
  test: {
    accuracy: 0.91,
    macroF1: 0.9,
    perClass: classes.map((name) => ({ name, precision: 0.9, recall: 0.91, f1: 0.905, support: 300 })),
    confusion: classes.map((_, r) => classes.map((_, c) => (r === c ? 270 : 3))),
  },
  checkpoint: '/home/someone/project/runs/1/checkpoint',
  wallMs: 400_000,
});

/** A launcher config as people send it: defaults, phase 2 and augmentation on. */
const config = RunConfig.parse({
  ...RUN_DEFAULTS.run,
  backboneId: 'mobilenet_v2',
  inputSize: 224,
  phase2: RUN_DEFAULTS.phase2,
  augment: RUN_DEFAULTS.augment,
});

function imageList(): RunImageList {
  const entry = (i: number) => ({ hash: i.toString(16).padStart(64, '0'), label: i % 4 });
  const all = Array.from({ length: IMAGES }, (_, i) => entry(i));
  const [train, val] = [Math.floor(IMAGES * 0.7), Math.floor(IMAGES * 0.85)];
  return {
    classes: ['a', 'b', 'c', 'd'],
    seed: 1,
    valSource: 'split',
    fold: null,
    folds: null,
    train: all.slice(0, train),
    val: all.slice(train, val),
    test: all.slice(val),
  };
}

const epoch = (phase: 1 | 2, e: number): EpochMetrics => ({
  phase,
  epoch: e,
  trainLoss: 1 / (e + 1),
  trainAcc: 0.5 + e / 100,
  valLoss: 1.1 / (e + 1),
  valAcc: 0.5 + e / 120,
  valMacroF1: 0.5,
  perClass: [],
  confusion: [[1]],
  lr: 1e-3,
  epochMs: 1000 + e,
});

function project(db: Database): number[] {
  const m = imageList();
  const frozen = freezeImageList(m);
  const manifestId = storeManifest(db, frozen.digest, JSON.stringify(frozen), 0).id;
  const ids = [];
  for (let i = 0; i < RUNS; i++) {
    const id = insertRun(db, {
      name: `run ${i}`,
      config: JSON.stringify(config),
      seed: config.seed,
      backboneId: config.backboneId,
      classes: m.classes,
      manifestId,
      trainCount: m.train.length,
      valCount: m.val.length,
      testCount: m.test.length,
      inputSize: 224,
      phase1Epochs: config.phase1.epochs,
      phase2Epochs: config.phase2?.epochs ?? null,
      groupId: null,
      fold: null,
      createdAt: i,
      message: null,
      pid: process.pid,
    });
    for (let e = 0; e < 12; e++) upsertEpoch(db, id, epoch(1, e));
    // One run in fifty still training: the list asks its epoch times for an ETA. The others
    // are done, with a result the list never reads (its size: a 10-class test report).
    if (i % 50 === 0) markRunning(db, id, process.pid, i);
    else sql(db, 'UPDATE runs SET result = ? WHERE id = ?').run(RESULT, id);
    ids.push(id);
  }
  return ids;
}

// ---- As before: the stored config parsed per row, the manifest thawed for split sizes. ----
const parse = (row: Pick<RunRow, 'config'>) => RunConfig.parse(JSON.parse(row.config));

/** The list read every column of every row, the JSON texts too: here as a second statement beside the columns. */
function listBefore(db: Database): RunSummary[] {
  const texts = sql(db, 'SELECT config, classes, result FROM runs ORDER BY id DESC').all() as RunRow[];
  return listRunRows(db).map((row, i) => {
    const c = parse(texts[i]!);
    const eta = row.status === 'running' ? etaOf(listEpochTimes(db, row.id), c) : null;
    const live = eta && {
      planned: c.phase1.epochs + (c.phase2?.epochs ?? 0),
      etaS: eta.seconds,
      untimedPhase2: eta.untimedPhase2,
    };
    return { ...summaryOf(row), inputSize: c.inputSize ?? 0, twoPhase: c.phase2 !== null, live: live ?? undefined };
  });
}

function sizesBefore(db: Database, row: RunRow) {
  const m = thawImageList(getManifest(db, row.manifestId!)!.body);
  return { train: m.train.length, val: m.val.length, test: m.test.length };
}

function doctorBefore(db: Database, runId: number) {
  const row = getRunRow(db, runId)!;
  return { ...doctorInput(db, runId, null), config: parse(row), splitSizes: sizesBefore(db, row) };
}

// ---- Now. ----
const listNow = (db: Database): RunSummary[] => listRunRows(db).map((r) => ({ ...summaryOf(r), live: liveOf(db, r) }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Each way's fastest and median ms over interleaved rounds, after a check that both answer
 * the same. On a shared machine the fastest round is the figure that holds; the median shows the noise.
 */
function race(name: string, before: () => unknown, now: () => unknown): void {
  deepStrictEqual(now(), before(), `${name}: both ways must answer the same`);
  const times: { before: number[]; now: number[] } = { before: [], now: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const way of ['before', 'now'] as const) {
      const t = performance.now();
      (way === 'before' ? before : now)();
      times[way].push(performance.now() - t);
    }
  }
  const [b, n] = [Math.min(...times.before), Math.min(...times.now)];
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  console.log(
    `${name}: before ${ms(b)} (median ${ms(median(times.before))}), now ${ms(n)} (median ${ms(median(times.now))}): ${(b / n).toFixed(1)}x`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'bench-run-facts-'));
try {
  const db = openDatabase(join(dir, 'studio.db'));
  const ids = project(db);
  // A running run: the one the live doctor reads after each epoch.
  const one = ids[0]!;
  console.log(
    `${RUNS} runs, one manifest of ${IMAGES} images (${getManifest(db, 1)!.body.length} bytes), ${ROUNDS} rounds`,
  );
  race(
    `runs.list (${RUNS} rows)`,
    () => listBefore(db),
    () => listNow(db),
  );
  race(
    'runs.get (one run)',
    () => {
      const row = getRunRow(db, one)!;
      return { ...detailOf(db, row), config: parse(row), splitSizes: sizesBefore(db, row) };
    },
    () => detailOf(db, getRunRow(db, one)!),
  );
  race(
    'doctor input after an epoch',
    () => doctorBefore(db, one),
    () => doctorInput(db, one, null),
  );
  db.close();
  if (process.env.KEEP) console.log(dir);
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
}
