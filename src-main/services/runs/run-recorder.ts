// Writes what the training process reports into the project as it happens: each epoch
// (so a dashboard survives a restart), the summary columns, the test predictions, and
// how the run ended. Progress only passes through as events.
import type { RunConfig } from '../../../src-shared/engine-config';
import type { FromEngine, RunResult } from '../../../src-shared/engine-protocol';
import { headSize } from '../../../src-shared/head-spec';
import type { LrRangeProgress, RunEpochEvent, RunStatus, RunsProgress } from '../../../src-shared/runs';
import type { Database } from '../../store/db';
import type { RunOutcome } from '../../training-host/host';
import { imageIdsByHash } from '../../store/repos/images';
import {
  deleteEpochsFrom,
  listEpochs,
  replacePredictions,
  setRunBackend,
  setRunOutcome,
  setRunSummary,
  upsertEpoch,
} from '../../store/repos/runs';
import { replaceValPredictions } from '../../store/repos/bakeoffs';
import type { TrainingDoctor } from './training-doctor';
import type { RunImageList } from './run-image-list';
import { needRun, storedConfig, summarizeEpochs } from './run-views';

/** What the service tells the world; the studio forwards these as contract events. */
export interface RunEvents {
  progress(p: RunsProgress): void;
  epoch(e: RunEpochEvent): void;
  status(s: { runId: number; status: RunStatus; message: string | null }): void;
  /** The learning-rate range test's progress (it is no run, so it has no id). */
  lrRange?(p: LrRangeProgress): void;
}

/** Facts about the data a person should know when reading the run's results. */
export function imageListNotes(m: RunImageList): string[] {
  const notes: string[] = [];
  if (m.fold)
    notes.push(`Fold ${m.fold.index + 1} of ${m.fold.k}: validation is this fold, training the other ${m.fold.k - 1}.`);
  if (m.valSource === 'carved')
    notes.push(
      `No validation split: ${m.val.length} training images were held out as validation for this run only (seed ${m.seed}).`,
    );
  if (m.valSource === 'none') notes.push('No validation images: the best epoch follows the training loss.');
  if (m.test.length === 0) notes.push('No test split: no test metrics.');
  return notes;
}

function stopNotes(result: RunResult): string[] {
  return result.phases.flatMap((p) =>
    p.stop.kind === 'stopped' ? [`Phase ${p.phase} stopped after ${p.epochs} epochs: ${p.stop.reason}.`] : [],
  );
}

export class RunRecorder {
  constructor(
    private readonly db: Database,
    private readonly runId: number,
    private readonly events: RunEvents,
    /** Stores live findings as each epoch ends, before the epoch event goes out. */
    private readonly doctor: TrainingDoctor | null = null,
  ) {}

  onEvent(e: FromEngine): void {
    const runId = this.runId;
    switch (e.type) {
      case 'ready':
        setRunBackend(this.db, runId, e.backend.name);
        return this.events.progress({ kind: 'stage', runId, stage: 'starting', backend: e.backend.name });
      case 'evaluating':
        return this.events.progress({ kind: 'stage', runId, stage: 'evaluating' });
      case 'features':
        return this.events.progress({
          kind: 'features',
          runId,
          phase: e.phase,
          split: e.split,
          done: e.done,
          total: e.total,
          fromCache: e.fromCache,
          rate: e.rate,
          etaS: e.etaS,
        });
      case 'batch':
        return this.events.progress({
          kind: 'batch',
          runId,
          phase: e.phase,
          epoch: e.epoch,
          batch: e.batch,
          batches: e.batches,
          loss: e.loss,
          lr: e.lr,
        });
      case 'resumed':
        deleteEpochsFrom(this.db, runId, e.phase, e.epoch);
        return this.#summarize();
      case 'epoch':
        upsertEpoch(this.db, runId, e.metrics);
        this.#summarize();
        this.doctor?.live(runId);
        return this.events.epoch({ runId, metrics: e.metrics });
      case 'predictions':
        return this.#predictions(e.split, e.rows);
    }
  }

  #summarize(): void {
    setRunSummary(
      this.db,
      this.runId,
      summarizeEpochs(listEpochs(this.db, this.runId), storedConfig(this.db, needRun(this.db, this.runId))),
    );
  }

  #predictions(split: 'test' | 'val', rows: Extract<FromEngine, { type: 'predictions' }>['rows']): void {
    const ids = imageIdsByHash(
      this.db,
      rows.map((r) => r.hash),
    );
    // An image removed from the project while the run trained has nothing to link to.
    const known = rows.filter((r) => ids.has(r.hash));
    const stored = known.map((r) => ({
      imageId: ids.get(r.hash)!,
      trueClass: r.label,
      predicted: r.predicted,
      loss: r.loss,
      probs: r.probs,
    }));
    (split === 'val' ? replaceValPredictions : replacePredictions)(this.db, this.runId, stored);
  }

  /** The run's end state and the message that goes with it. */
  outcome(
    o: RunOutcome,
    config: RunConfig,
    classes: string[],
    images: RunImageList,
  ): { status: RunStatus; message: string } {
    const notes = imageListNotes(images);
    const say = (status: RunStatus, ...lines: string[]) => ({ status, message: [...lines, ...notes].join(' ') });
    switch (o.kind) {
      case 'done': {
        const r = o.result;
        setRunOutcome(this.db, this.runId, {
          result: JSON.stringify(r),
          backend: r.backend.name,
          backboneHash: r.backboneHash,
          testAcc: r.test?.accuracy ?? null,
          testMacroF1: r.test?.macroF1 ?? null,
          trainMs: r.wallMs,
          modelBytes: headSize(config.head, r.featureShape, classes.length).weightBytes,
        });
        return say('done', ...stopNotes(r));
      }
      case 'cancelled':
        return say('cancelled', 'Cancelled.');
      case 'failed':
        return say('failed', `Failed: ${o.message}`);
      case 'killed':
        return say(
          'interrupted',
          `The training process was killed (${o.signal}). Resume goes on from its last finished epoch.`,
        );
    }
  }
}
