// `studio split PROJECT --val 0.15 --test 0.15 --seed N [--group-by ...] [--folds K]`: assigns
// train/val/test (stratified, group-aware, near-duplicate clusters kept together unless
// --no-keep-clusters), recorded as one undoable edit, then freezes it.
import { InvalidArgumentError, type Command } from 'commander';
import type { GroupBy } from '../../../src-shared/curation';
import { table, type CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { reportScan } from './scan-progress';

export const splitCommand: CliCommand = {
  register(program: Command) {
    program
      .command('split')
      .description(
        'assign train/val/test splits per class, keeping groups and near-duplicate clusters together; predefined splits are kept unless --reassign',
      )
      .argument('<project>', 'the project folder (holding studio.db)')
      .requiredOption('--seed <n>', 'the random seed: the same seed gives the same split', integer)
      .option('--val <fraction>', 'fraction of each class for validation', fraction, 0.15)
      .option('--test <fraction>', 'fraction of each class for the test set', fraction, 0.15)
      .option(
        '--group-by <key>',
        "folder (the file's folder), folder:N (N-th folder under the import root, negative from the file), regex:PATTERN (a capture group on the file name) or csv:FILE:COLUMN",
        parseGroupBy,
      )
      .option('--folds <k>', 'also assign K cross-validation folds to train and val', integer)
      .option('--reassign', 'reassign every image, including splits that came with the data')
      .option('--no-keep-clusters', 'let near-duplicate copies land in different splits (they then leak between them)')
      .action(
        async (
          dir: string,
          o: {
            seed: number;
            val: number;
            test: number;
            groupBy?: GroupBy;
            folds?: number;
            reassign?: boolean;
            keepClusters: boolean;
          },
        ) => {
          const csv = o.groupBy?.kind === 'csv' ? [o.groupBy.file] : [];
          await withStudio(
            dir,
            async ({ api, on }) => {
              reportScan(on);
              const out = await api.curation.split({
                val: o.val,
                test: o.test,
                seed: o.seed,
                groupBy: o.groupBy,
                folds: o.folds,
                keepPredefined: !o.reassign,
                keepClusters: o.keepClusters,
              });
              const manifest = await api.curation.manifest({
                params: {
                  seed: o.seed,
                  val: o.val,
                  test: o.test,
                  groupBy: o.groupBy ?? null,
                  folds: o.folds ?? null,
                  keepClusters: o.keepClusters,
                },
              });
              console.log(table(Object.entries(out.counts).map(([k, v]) => [k, v])));
              console.log(`groups ${out.groups}, kept ${out.kept} predefined, folds ${out.folds ?? 'none'}`);
              console.log(
                o.keepClusters
                  ? `near-duplicate clusters kept together: ${out.clusters}`
                  : 'near-duplicate clusters not kept together (--no-keep-clusters): copies may leak between splits',
              );
              for (const w of out.warnings) console.log(`warning: ${w}`);
              console.log(`manifest ${manifest.digest}`);
            },
            { paths: csv, write: true },
          );
        },
      );
  },
};

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('give a whole number.');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('give a fraction from 0 to below 1, e.g. 0.15.');
  return n;
}

export function parseGroupBy(value: string): GroupBy {
  if (value === 'folder') return { kind: 'folder', level: -1 };
  const [kind, ...rest] = value.split(':');
  const arg = rest.join(':');
  if (kind === 'folder' && /^-?\d+$/.test(arg)) return { kind: 'folder', level: Number(arg) };
  if (kind === 'regex' && arg) return { kind: 'pattern', regex: arg };
  if (kind === 'csv') {
    const at = arg.lastIndexOf(':');
    if (at > 0 && at < arg.length - 1) return { kind: 'csv', file: arg.slice(0, at), column: arg.slice(at + 1) };
  }
  throw new InvalidArgumentError('use folder, folder:N, regex:PATTERN or csv:FILE:COLUMN.');
}
