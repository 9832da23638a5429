// `studio train`, `resume` and `bakeoff` follow their runs the way the UI does, over the
// contract's events: a progress bar on stderr from runs.progress and runs.epoch, Ctrl-C
// cancelling what trains and what waits (each keeps what it recorded), and each run's
// detail once it has ended.
import { formatPercent } from '../../../src-shared/format';
import { Presets, SingleBar } from 'cli-progress';
import { epochText } from '../../../src-shared/epochs';
import { cacheRateText } from '../../../src-shared/runs';
import type { RunDetail, RunsProgress, RunStatus } from '../../../src-shared/runs';
import type { CliSession } from '../studio-client';

const ENDED: ReadonlySet<RunStatus> = new Set(['done', 'failed', 'cancelled', 'interrupted']);

function progressBar(): { bar: SingleBar; show: (p: RunsProgress) => void } {
  const bar = new SingleBar(
    { stream: process.stderr, format: 'run {run} {stage} [{bar}] {value}/{total} {info}', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  const show = (p: RunsProgress) => {
    if (p.kind === 'stage') return;
    const stage = p.kind === 'features' ? `phase ${p.phase} features ${p.split}` : epochText(p.phase, p.epoch);
    const info =
      p.kind === 'features'
        ? `(${[`${p.fromCache} cached`, cacheRateText(p)].filter(Boolean).join(', ')})`
        : `loss ${p.loss.toFixed(4)}`;
    const [value, total] = p.kind === 'features' ? [p.done, p.total] : [p.batch + 1, p.batches];
    if (!started) bar.start(total, value, { run: p.runId, stage, info });
    started = true;
    bar.setTotal(total);
    bar.update(value, { run: p.runId, stage, info });
  };
  return { bar, show };
}

export interface RunFollower {
  /** Resolves once every run has ended, with each run's detail. */
  ended(runIds: number[]): Promise<RunDetail[]>;
  stop(): void;
}

/** Listens from now on: call it before the runs start, so that no event is missed. */
export function followRuns(s: Pick<CliSession, 'api' | 'on'>): RunFollower {
  const { bar, show } = progressBar();
  const over = new Set<number>();
  let wake = () => {};
  const offs = [
    s.on('runs.progress', show),
    s.on('runs.epoch', ({ metrics: m }) =>
      bar.update({ info: `loss ${m.trainLoss.toFixed(4)} val acc ${formatPercent(m.valAcc)}` }),
    ),
    s.on('runs.status', (e) => {
      if (!ENDED.has(e.status)) return;
      over.add(e.runId);
      wake();
    }),
  ];
  return {
    async ended(runIds) {
      const cancel = () => runIds.forEach((runId) => void s.api.runs.cancel({ runId }).catch(() => undefined));
      process.once('SIGINT', cancel);
      try {
        await new Promise<void>((resolve) => {
          wake = () => runIds.every((id) => over.has(id)) && resolve();
          wake();
        });
      } finally {
        process.off('SIGINT', cancel);
        bar.stop();
      }
      return Promise.all(runIds.map((runId) => s.api.runs.get({ runId })));
    },
    stop() {
      offs.forEach((off) => off());
      bar.stop();
    },
  };
}

/** 0 when every run is done, 130 when one was cancelled (Ctrl-C), else 1. */
export function runsExitCode(runs: RunDetail[]): number {
  return runs.every((r) => r.status === 'done') ? 0 : runs.some((r) => r.status === 'cancelled') ? 130 : 1;
}
