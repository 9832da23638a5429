// `studio import PROJECT FOLDER`: imports a folder with a progress bar on stderr, then a
// summary and the problems on stdout. Problems are reported, not failures: exit 0.
import { resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import type { ImportProgress, Problem } from '../../../src-shared/schemas';
import { checkFolder } from '../../services/import/import-service';
import type { CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { plural } from '../../../src-shared/plural';

const SHOWN_PROBLEMS = 20;

export const importCommand: CliCommand = {
  register(program: Command) {
    program
      .command('import')
      .description(
        'import a folder of images into a project (created if missing); importing again adds only what is new',
      )
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<folder>', 'the images: class folders, train/val/test folders, or a flat folder')
      .option('--concurrency <n>', 'images decoded at once (default 4)', positiveInteger)
      .action(runImport);
  },
};

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number of at least 1.');
  return n;
}

async function runImport(projectDir: string, folder: string, opts: { concurrency?: number }): Promise<void> {
  // Before creating anything: a typo in FOLDER must not leave an empty project behind.
  checkFolder(resolve(folder));
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {value}/{total} | {rate} img/s | ETA {etaText} | {problems} problems',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  try {
    await withStudio(
      projectDir,
      async ({ api, on, project }) => {
        let last: ImportProgress | null = null;
        let finished: (p: ImportProgress) => void = () => undefined;
        const end = new Promise<ImportProgress>((ok) => (finished = ok));
        let importId: number | null = null;
        on('imports.progress', (p) => {
          if (importId !== null && p.importId !== importId) return;
          if (!last) bar.start(p.total, 0, barPayload(p));
          last = p;
          bar.setTotal(p.total);
          bar.update(p.done, barPayload(p));
          if (p.phase === 'finished') finished(p);
        });
        importId = (await api.imports.start({ folder })).importId;
        // Ctrl-C cancels cleanly: what was committed stays, and a second import resumes.
        const onInterrupt = () => void api.imports.cancel({ importId: importId! });
        process.once('SIGINT', onInterrupt);
        const final = await end;
        process.off('SIGINT', onInterrupt);
        bar.stop();
        console.log(summary(final, project.path, await api.imports.problems({ importId, limit: SHOWN_PROBLEMS + 1 })));
        process.exitCode = final.status === 'done' ? 0 : final.status === 'cancelled' ? 130 : 1;
      },
      { create: true, write: true, paths: [folder], imports: { concurrency: opts.concurrency } },
    );
  } finally {
    bar.stop();
  }
}

function barPayload(p: ImportProgress) {
  // cli-progress has its own {eta}; ours comes from the import's measured rate.
  return {
    phase: p.phase.padEnd(9),
    rate: p.imagesPerSecond.toFixed(1),
    etaText: p.etaSeconds === null ? '?' : `${p.etaSeconds}s`,
    problems: p.problems,
  };
}

export function summary(p: ImportProgress, projectDir: string, problems: Problem[]): string {
  const lines = [
    `Import ${p.importId} of ${p.root} into ${projectDir}: ${p.status}${p.message ? ` (${p.message})` : ''}`,
    `  ${p.done} of ${p.total} files: ${plural(p.imported, 'new image')}, ${p.skipped} already in the project or copies, ${plural(p.problems, 'problem')}` +
      ` (${p.imagesPerSecond.toFixed(1)} files/s)`,
  ];
  if (problems.length) lines.push('', 'Problems (these files were left out; the rest imported):');
  for (const problem of problems.slice(0, SHOWN_PROBLEMS))
    lines.push(`  ${problem.kind}: ${problem.path}`, `    ${problem.reason}`);
  if (p.problems > SHOWN_PROBLEMS)
    lines.push(`  ... ${p.problems - SHOWN_PROBLEMS} more: see \`studio info ${projectDir}\` or the Problems view.`);
  return lines.join('\n');
}
