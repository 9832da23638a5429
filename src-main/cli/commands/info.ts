// `studio info PROJECT`: what a project holds, per class, split and kind of problem.
import type { Command } from 'commander';
import type { DatasetStats, ImportRecord, ProjectInfo } from '../../../src-shared/schemas';
import { table, type CliCommand } from '../command';
import { withStudio } from '../studio-client';

export const infoCommand: CliCommand = {
  register(program: Command) {
    program
      .command('info')
      .description('print what a project holds: images per class, per split, and problems by kind')
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--json', 'print JSON instead of text')
      .action((dir: string, opts: { json?: boolean }) =>
        withStudio(dir, async ({ api, project: info }) => {
          const stats = await api.dataset.stats();
          const lastImport = (await api.imports.list())[0] ?? null;
          console.log(
            opts.json
              ? JSON.stringify({ project: info, stats, lastImport }, null, 2)
              : formatInfo(info, stats, lastImport),
          );
        }),
      );
  },
};

export function formatInfo(info: ProjectInfo, stats: DatasetStats, lastImport: ImportRecord | null): string {
  const lines = [
    `Project  ${info.name}  (${info.path}, schema ${info.schemaVersion})`,
    `Images   ${stats.total}  (${stats.unlabeled} unlabeled)`,
    '',
    `Classes  ${stats.perClass.length}`,
    stats.perClass.length
      ? table(stats.perClass.map((c) => [c.name, c.count]))
      : '  (none: import class folders to label images)',
    '',
    'Splits',
    table(Object.entries(stats.perSplit).map(([split, n]) => [split, n])),
    '',
    `Problems ${info.problems}`,
    ...(stats.problems.length ? [table(stats.problems.map((p) => [p.kind, p.count]))] : []),
  ];
  if (lastImport) {
    lines.push(
      '',
      `Last import  ${lastImport.root}: ${lastImport.status}, ${lastImport.done} of ${lastImport.total} files`,
    );
  }
  return lines.join('\n');
}
