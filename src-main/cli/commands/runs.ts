// `studio runs PROJECT`: every run and its best metrics, newest first.
import type { Command } from 'commander';
import { openProject } from '../../services/project/project';
import { RunService } from '../../services/runs/run-service';
import type { CliCommand } from '../command';
import { runsTable } from './run-format';

const quiet = { progress: () => {}, epoch: () => {}, status: () => {} };

export const runsCommand: CliCommand = {
  register(program: Command) {
    program
      .command('runs')
      .description('list the project\'s training runs with their best validation and test metrics')
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--json', 'print JSON instead of a table')
      .action((dir: string, opts: { json?: boolean }) => {
        const project = openProject(dir, { create: false, access: 'read' });
        try {
          const runs = new RunService(project, quiet).list();
          if (opts.json) console.log(JSON.stringify(runs, null, 2));
          else console.log(runs.length ? runsTable(runs) : `No runs yet in ${project.dir}: start one with \`studio train ${dir}\`.`);
        } finally {
          project.close();
        }
      });
  },
};
