// `studio runs PROJECT`: every run and its best metrics, newest first.
import type { Command } from 'commander';
import type { CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { runsTable } from './run-format';

export const runsCommand: CliCommand = {
  register(program: Command) {
    program
      .command('runs')
      .description("list the project's training runs with their best validation and test metrics")
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--json', 'print JSON instead of a table')
      .action((dir: string, opts: { json?: boolean }) =>
        withStudio(dir, async ({ api, project }) => {
          const runs = await api.runs.list();
          if (opts.json) console.log(JSON.stringify(runs, null, 2));
          else
            console.log(
              runs.length ? runsTable(runs) : `No runs yet in ${project.path}: start one with \`studio train ${dir}\`.`,
            );
        }),
      );
  },
};
