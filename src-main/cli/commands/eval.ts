// `studio eval PROJECT RUN_ID`: a run's evaluation on the test split with the weights it
// ended with: accuracy, macro F1, per-class precision/recall/F1 and the confusion matrix.
import type { Command } from 'commander';
import { frozenWorkLines } from '../../../src-shared/runs';
import type { RunDetail } from '../../../src-shared/runs';
import { StudioError } from '../../../src-shared/errors';
import { table, type CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { pct, runLine } from './run-format';

export const evalCommand: CliCommand = {
  register(program: Command) {
    program
      .command('eval')
      .description('print a run\'s test evaluation: accuracy, macro F1, per-class metrics, confusion matrix')
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<run>', 'the run id (see `studio runs`)', (v) => Number.parseInt(v, 10))
      .option('--json', 'print JSON instead of text')
      .action((dir: string, runId: number, opts: { json?: boolean }) =>
        withStudio(dir, async ({ api }) => {
          const run = await api.runs.get({ runId });
          if (opts.json) return void console.log(JSON.stringify({ run: run.id, classes: run.classes, test: run.result?.test ?? null }, null, 2));
          console.log(formatEval(run));
        }),
      );
  },
};

export function formatEval(run: RunDetail): string {
  const test = run.result?.test;
  if (!test) {
    const why = run.status !== 'done' ? `it is ${run.status}` : 'the project had no test split when it ran';
    throw new StudioError('invalid-input', `Run ${run.id} has no test evaluation: ${why}. Assign a test split and train again to measure a model on images it never chose by.`);
  }
  const n = test.confusion.flat().reduce((a, b) => a + b, 0);
  const perClass = run.classes.map((c, i) => [c, pct(test.perClass[i]!.precision), pct(test.perClass[i]!.recall), pct(test.perClass[i]!.f1), test.perClass[i]!.support]);
  const confusion = run.classes.map((c, i) => [c, ...test.confusion[i]!]);
  return [
    runLine(run),
    ...frozenWorkLines(run.result),
    '',
    `Test split: ${n} images, accuracy ${pct(test.accuracy)}, macro F1 ${pct(test.macroF1)}, loss ${test.loss.toFixed(4)}`,
    '',
    table([['class', 'precision', 'recall', 'F1', 'support'], ...perClass]),
    '',
    'Confusion matrix (rows: true class, columns: predicted)',
    table([['', ...run.classes.map((_, i) => `[${i}]`)], ...confusion.map((r, i) => [`[${i}] ${r[0]}`, ...r.slice(1)])]),
  ].join('\n');
}
