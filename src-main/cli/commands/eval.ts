// `studio eval PROJECT RUN_ID`: a run's evaluation on the test split with the weights it
// ended with: accuracy, macro F1, per-class precision/recall/F1 and the confusion matrix.
import { formatPercent } from '../../../src-shared/format';
import type { Command } from 'commander';
import { frozenWorkLines } from '../../../src-shared/runs';
import type { RunDetail } from '../../../src-shared/runs';
import { StudioError } from '../../../src-shared/errors';
import { epochTag } from '../../../src-shared/epochs';
import { runTime, runTimeText } from '../../../src-shared/run-time';
import { table, type CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { runLine } from './run-format';

export const evalCommand: CliCommand = {
  register(program: Command) {
    program
      .command('eval')
      .description("print a run's test evaluation: accuracy, macro F1, per-class metrics, confusion matrix")
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<run>', 'the run id (see `studio runs`)', (v) => Number.parseInt(v, 10))
      .option('--json', 'print JSON instead of text')
      .action((dir: string, runId: number, opts: { json?: boolean }) =>
        withStudio(dir, async ({ api }) => {
          const run = await api.runs.get({ runId });
          if (opts.json) return void console.log(JSON.stringify(evalJson(run), null, 2));
          console.log(formatEval(run));
        }),
      );
  },
};

/**
 * The kept epoch in the words every screen uses (`epoch` counted from 1 within its phase),
 * with the validation figures at it, and where the run's wall time went.
 */
export function evalJson(run: RunDetail): object {
  const kept =
    run.bestPhase === null || run.bestEpoch === null
      ? null
      : {
          phase: run.bestPhase,
          epoch: run.bestEpoch + 1,
          tag: epochTag(run.bestPhase, run.bestEpoch),
          valAcc: run.bestValAcc,
          valMacroF1: run.bestMacroF1,
        };
  const time = runTime(run);
  const timing = time
    ? {
        wallMs: Math.round(time.wallMs),
        ...Object.fromEntries(time.parts.map((p) => [`${p.key}Ms`, Math.round(p.ms)])),
      }
    : null;
  return { run: run.id, classes: run.classes, kept, timing, test: run.result?.test ?? null };
}

export function formatEval(run: RunDetail): string {
  const test = run.result?.test;
  if (!test) {
    const why = run.status !== 'done' ? `it is ${run.status}` : 'the project had no test split when it ran';
    throw new StudioError(
      'invalid-input',
      `Run ${run.id} has no test evaluation: ${why}. Assign a test split and train again to measure a model on images it never chose by.`,
    );
  }
  const time = runTime(run);
  const n = test.confusion.flat().reduce((a, b) => a + b, 0);
  const perClass = run.classes.map((c, i) => [
    c,
    formatPercent(test.perClass[i]!.precision),
    formatPercent(test.perClass[i]!.recall),
    formatPercent(test.perClass[i]!.f1),
    test.perClass[i]!.support,
  ]);
  const confusion = run.classes.map((c, i) => [c, ...test.confusion[i]!]);
  return [
    runLine(run),
    ...(time ? [`Wall time ${runTimeText(time)}`] : []),
    ...frozenWorkLines(run.result),
    '',
    `Test split: ${n} images, accuracy ${formatPercent(test.accuracy)}, macro F1 ${formatPercent(test.macroF1)}, loss ${test.loss.toFixed(4)}`,
    '',
    table([['class', 'precision', 'recall', 'F1', 'support'], ...perClass]),
    '',
    'Confusion matrix (rows: true class, columns: predicted)',
    table([
      ['', ...run.classes.map((_, i) => `[${i}]`)],
      ...confusion.map((r, i) => [`[${i}] ${r[0]}`, ...r.slice(1)]),
    ]),
  ].join('\n');
}
