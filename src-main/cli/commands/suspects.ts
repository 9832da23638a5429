// `studio suspects PROJECT RUN`: the images whose given label a k-fold group's out-of-fold
// predictions doubt most (confident learning), most doubted first. RUN is any run of the
// group, or the group's id with --group.
import { formatPercent } from '../../../src-shared/format';
import type { Command } from 'commander';
import type { SuspectsOutput } from '../../../src-shared/bakeoff';
import { table, type CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { plural } from '../../../src-shared/plural';

interface SuspectsFlags {
  group?: boolean;
  margin?: boolean;
  limit?: number;
  json?: boolean;
}

export const suspectsCommand: CliCommand = {
  register(program: Command) {
    program
      .command('suspects')
      .description("list label-error candidates from a k-fold group's out-of-fold predictions (confident learning)")
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<run>', 'any run of a k-fold group (see `studio runs`), or the group id with --group', (v) =>
        Number.parseInt(v, 10),
      )
      .option('--group', 'RUN is a group id')
      .option('--margin', 'rank by margin (p(given) - best other) instead of self-confidence')
      .option('--limit <n>', 'how many to print', (v) => Number.parseInt(v, 10), 20)
      .option('--json', 'print JSON instead of a table')
      .action((dir: string, runId: number, flags: SuspectsFlags) =>
        withStudio(dir, async ({ api }) => {
          const out = await api.runs.suspects({
            runId,
            group: flags.group ?? false,
            rankBy: flags.margin ? 'margin' : 'self-confidence',
            limit: flags.limit ?? 20,
          });
          console.log(flags.json ? JSON.stringify(out, null, 2) : suspectsText(out));
        }),
      );
  },
};

export function suspectsText(s: SuspectsOutput): string {
  const head =
    `Group ${s.groupId}: ${s.foldsDone} of ${s.folds} folds done, ${s.images} images with an out-of-fold prediction; ` +
    `thresholds ${s.classes.map((c, j) => `${c} ${formatPercent(s.thresholds[j] ?? null)}`).join(', ')}.`;
  if (s.items.length === 0)
    return `${head}\nNo label-error candidates${s.foldsDone < s.folds ? ' yet: wait for the folds to finish' : ''}.`;
  const rows = s.items.map((x, i) => [
    i + 1,
    x.imageId,
    x.hash.slice(0, 12),
    s.classes[x.given]!,
    s.classes[x.suggested]!,
    formatPercent(x.selfConfidence),
    formatPercent(x.probs[x.suggested]!),
    x.margin.toFixed(2),
    x.currentClass === s.classes[x.given] ? '' : `now ${x.currentClass ?? 'unlabeled'}`,
  ]);
  return [
    head,
    `${plural(s.total, 'candidate')}, most doubted first:`,
    table([['#', 'image', 'hash', 'given', 'suggested', 'p(given)', 'p(suggested)', 'margin', ''], ...rows]),
    'Relabel one with `studio labels` or from the run page\'s "Suspected label errors" gallery (number keys, undoable).',
  ].join('\n');
}
