// `studio labels export|import PROJECT FILE.csv`: labels and splits as `path,label,split,group`.
// An import is one undoable edit and is rejected whole when any row is wrong.
import type { Command } from 'commander';
import type { CliCommand } from '../command';
import { withStudio } from '../studio-client';

export const labelsCommand: CliCommand = {
  register(program: Command) {
    const labels = program
      .command('labels')
      .description('export or import labels and splits as CSV (path,label,split,group)');
    labels
      .command('export')
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<file>', 'the CSV file to write')
      .action(async (dir: string, file: string) => {
        const out = await withStudio(dir, ({ api }) => api.curation.exportCsv({ file }), { paths: [file] });
        console.log(`wrote ${out.rows} rows to ${out.file}`);
      });
    labels
      .command('import')
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<file>', 'the CSV file to read; a column it lacks leaves that field as it is')
      .action(async (dir: string, file: string) => {
        const out = await withStudio(dir, ({ api }) => api.curation.importCsv({ file }), {
          paths: [file],
          write: true,
        });
        console.log(`read ${out.rows} rows, changed ${out.changed} images`);
      });
  },
};
