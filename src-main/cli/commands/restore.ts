// `studio restore PROJECT [--from FILE]`: puts a backup back as the project's studio.db, the
// way out that a damaged project's message names.
import type { Command } from 'commander';
import type { CliCommand } from '../command';
import { withBareStudio } from '../studio-client';

function restore(dir: string, opts: { from?: string }): Promise<void> {
  return withBareStudio(
    async ({ api }) => {
      const out = await api.project.restore({ path: dir, from: opts.from });
      console.log(`${out.project}: restored studio.db from ${out.from} (it passed SQLite's integrity check).`);
      if (out.keptAside.length) console.log(`The files it replaced are kept aside: ${out.keptAside.join(', ')}`);
    },
    [dir, ...(opts.from ? [opts.from] : [])],
  );
}

export const restoreCommand: CliCommand = {
  register(program: Command) {
    program
      .command('restore')
      .description(
        "put a backup back as a project's studio.db (the newest in PROJECT/backups/ unless --from names one); the replaced file is kept aside",
      )
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--from <file>', 'the backup to restore')
      .action(restore);
  },
};
