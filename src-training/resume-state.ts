// The checkpoint a killed run resumes from, written after every epoch. Each one is a new
// folder (state, model weights, optimizer slots, callback weights) and `latest.json`
// names the newest by an atomic rename: a process killed while writing leaves the
// previous checkpoint whole, never a mix of two epochs.
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunDirs, RunResult } from '../src-shared/engine-protocol';
import type { FitState, WeightSnapshot } from './callbacks/types';
import { loadSnapshot, saveSnapshot } from './weights-io';

/** A finished phase, as the run's result reports it. */
export type PhaseRecord = RunResult['phases'][number];

export interface RunState {
  fit: FitState;
  /** Phases finished before the one `fit` belongs to. */
  completed: PhaseRecord[];
  /** Wall time of the attempts so far, so a resumed run reports its whole cost. */
  elapsedMs: number;
}

type Json = Omit<FitState, 'weights' | 'optimizer' | 'callbacks'> & {
  callbacks: Record<string, { state: unknown; weights: boolean }>;
  completed: PhaseRecord[];
  elapsedMs: number;
};

const LATEST = 'latest.json';

/** Where a run keeps the checkpoint it resumes from: <run>/resume. */
export function resumeDir(dirs: RunDirs): string {
  return join(dirs.run, 'resume');
}

export async function writeRunState(root: string, s: RunState): Promise<void> {
  const name = `p${s.fit.phase}-e${s.fit.nextEpoch}`;
  const dir = join(root, name);
  await rm(dir, { recursive: true, force: true });
  await saveSnapshot(join(dir, 'model'), s.fit.weights);
  await saveSnapshot(join(dir, 'optimizer'), s.fit.optimizer);
  const callbacks: Json['callbacks'] = {};
  for (const [cb, v] of Object.entries(s.fit.callbacks)) {
    callbacks[cb] = { state: v.state, weights: v.weights !== null };
    if (v.weights) await saveSnapshot(join(dir, `cb-${cb}`), v.weights);
  }
  const { weights: _w, optimizer: _o, callbacks: _c, ...rest } = s.fit;
  const json: Json = { ...rest, callbacks, completed: s.completed, elapsedMs: s.elapsedMs };
  await writeFile(join(dir, 'state.json'), JSON.stringify(json));
  await writeFile(join(root, `${LATEST}.tmp`), JSON.stringify({ dir: name }));
  await rename(join(root, `${LATEST}.tmp`), join(root, LATEST));
  await removeOlder(root, name);
}

async function removeOlder(root: string, keep: string): Promise<void> {
  for (const entry of await readdir(root)) {
    if (/^p\d-e\d+$/.test(entry) && entry !== keep) await rm(join(root, entry), { recursive: true, force: true });
  }
}

export function hasRunState(root: string): boolean {
  return existsSync(join(root, LATEST));
}

export async function readRunState(root: string): Promise<RunState> {
  let dir: string;
  try {
    dir = join(root, (JSON.parse(await readFile(join(root, LATEST), 'utf8')) as { dir: string }).dir);
  } catch (err) {
    throw new Error(
      `cannot read the resume checkpoint in ${root}: ${(err as Error).message}; start the run again instead`,
    );
  }
  const json = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as Json;
  const callbacks: FitState['callbacks'] = {};
  for (const [cb, v] of Object.entries(json.callbacks)) {
    const weights: WeightSnapshot | null = v.weights ? await loadSnapshot(join(dir, `cb-${cb}`)) : null;
    callbacks[cb] = { state: v.state, weights };
  }
  const { completed, elapsedMs, callbacks: _c, ...fit } = json;
  return {
    fit: {
      ...fit,
      weights: await loadSnapshot(join(dir, 'model')),
      optimizer: await loadSnapshot(join(dir, 'optimizer')),
      callbacks,
    },
    completed,
    elapsedMs,
  };
}
