// Shared by the process probes: whether a pid still runs, waiting (bounded) for it to end,
// and what a training run's rows say, read as a bystander.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isProcessAlive } from '../../../src-main/services/project/process-alive';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Alive and not a zombie waiting for a reaper that may never come (PID 1 in a container): the studio's own test. */
export const isAlive = isProcessAlive;

/** Waits until `pid` is gone or `limitMs` passed; returns the milliseconds waited. */
export async function waitGone(pid: number, limitMs: number): Promise<number> {
  const t0 = Date.now();
  while (isAlive(pid) && Date.now() - t0 < limitMs) await sleep(20);
  return Date.now() - t0;
}

/** Reads the store read-only, as a bystander: never takes the CLI's write lock; [] while it cannot be read yet. */
export function peekRows<T>(project: string, sql: string): T[] {
  const db = new Database(join(project, 'studio.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

export interface EpochRow {
  phase: number;
  epoch: number;
  ms: number;
  loss: number;
}

export const epochs = (project: string, runId = 1) =>
  peekRows<EpochRow>(
    project,
    `SELECT phase, epoch, epoch_ms AS ms, train_loss AS loss FROM run_epochs WHERE run_id = ${Number(runId)} ORDER BY phase, epoch`,
  );

/**
 * A run config with no early stopping, on the bundled backbone at 96 px: it lasts its `epochs`, long enough
 * to be killed or to fill a disk between or within epochs. With no `batchSize` the default stands.
 */
export function longRun(epochs: number, seed: number, batchSize?: number) {
  return {
    backboneId: 'nsfwjs_mobilenet_v2',
    inputSize: 96,
    seed,
    phase1: { epochs, ...(batchSize === undefined ? {} : { batchSize }), optimizer: { kind: 'adam', lr: 1e-3 } },
  };
}
