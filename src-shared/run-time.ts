// Where a run's time goes and how long it has left, as the run page, the runs table,
// comparison and `studio eval` all say it. A run that spends 95 of its 103 s building the
// feature cache must not read as "8 s of training".
import type { EpochMetrics } from './engine-metrics';
import type { RunResult } from './engine-protocol';
import { formatMs } from './format';

export interface TimePart {
  key: 'cache' | 'warmup' | 'phase1' | 'phase2' | 'eval' | 'startup';
  label: string;
  ms: number;
}

export interface RunTime {
  wallMs: number;
  parts: TimePart[];
}

interface Recorded {
  result: RunResult | null;
  startedAt: number | null;
  finishedAt: number | null;
  twoPhase: boolean;
}

/**
 * The run's wall time split into its stages; null before it has a result, or for a run
 * recorded before stages were timed. The wall time is the longer of what the engine
 * counted (every attempt of a resumed run) and what the service saw from start to end
 * (process start and backend choice included); what no stage covers is start-up.
 */
export function runTime(run: Recorded): RunTime | null {
  const t = run.result?.timing;
  if (!run.result || !t) return null;
  const seen = run.startedAt !== null && run.finishedAt !== null ? run.finishedAt - run.startedAt : 0;
  const wallMs = Math.max(run.result.wallMs, seen);
  const parts: TimePart[] = [
    { key: 'cache', label: 'cache build', ms: t.cacheMs },
    // WebGPU compiles the training step's shaders before each phase: its own stage, not a slow epoch.
    ...(t.warmupMs !== undefined ? [{ key: 'warmup' as const, label: 'shader warm-up', ms: t.warmupMs }] : []),
    { key: 'phase1', label: 'phase 1', ms: t.phase1Ms },
    ...(run.twoPhase ? [{ key: 'phase2' as const, label: 'phase 2', ms: t.phase2Ms }] : []),
    { key: 'eval', label: 'evaluation', ms: t.evalMs },
  ];
  const startup = wallMs - parts.reduce((n, p) => n + p.ms, 0);
  return { wallMs, parts: [...parts, { key: 'startup', label: 'start-up', ms: Math.max(0, startup) }] };
}

/** "1 min 43 s: cache build 1 min 35 s, phase 1 6.1 s, evaluation 1.2 s, start-up 0.7 s". */
export function runTimeText(t: RunTime): string {
  return `${formatMs(t.wallMs)}: ${t.parts.map((p) => `${p.label} ${formatMs(p.ms)}`).join(', ')}`;
}

export interface Eta {
  /** Seconds until every planned epoch has run, from each phase's own mean epoch time; null when nothing is timed yet. */
  seconds: number | null;
  /** Planned phase 2 epochs whose time is not known yet (phase 2 has not begun); not in `seconds`. */
  untimedPhase2: number;
}

type Timed = Pick<EpochMetrics, 'phase' | 'epochMs'>;

function phaseLeft(epochs: Timed[], planned: number, ended: boolean): { ms: number | null; left: number } {
  const left = ended ? 0 : Math.max(0, planned - epochs.length);
  if (left === 0) return { ms: 0, left };
  if (epochs.length === 0) return { ms: null, left };
  return { ms: (left * epochs.reduce((n, e) => n + e.epochMs, 0)) / epochs.length, left };
}

/** Each phase's planned epochs: a run's config, or the runs table's columns for it. */
export interface PlannedEpochs {
  phase1: { epochs: number };
  phase2: { epochs: number } | null;
}

/** Time left if every planned epoch runs (early stopping may end a phase sooner); the cache builds are not in it. */
export function etaOf(epochs: Timed[], config: PlannedEpochs): Eta {
  const p1 = epochs.filter((e) => e.phase === 1);
  const p2 = epochs.filter((e) => e.phase === 2);
  const one = phaseLeft(p1, config.phase1.epochs, p2.length > 0);
  const two = config.phase2 ? phaseLeft(p2, config.phase2.epochs, false) : { ms: 0, left: 0 };
  if (one.ms === null) return { seconds: null, untimedPhase2: 0 };
  if (two.ms === null) return { seconds: one.ms / 1000, untimedPhase2: two.left };
  return { seconds: (one.ms + two.ms) / 1000, untimedPhase2: 0 };
}

/** "about 1 min 20 s", "about 40 s + 8 phase 2 epochs not timed yet", or "—". */
export function etaText(eta: Eta): string {
  if (eta.seconds === null) return '—';
  const base = `about ${formatMs(eta.seconds * 1000)}`;
  return eta.untimedPhase2 > 0 ? `${base} + ${eta.untimedPhase2} phase 2 epochs not timed yet` : base;
}
