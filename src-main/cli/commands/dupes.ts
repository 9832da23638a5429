// `studio dupes PROJECT [--fix]`: near-duplicate clusters and the ones leaking across splits;
// --fix keeps each leaking cluster in one split (one undoable edit).
import type { Command } from 'commander';
import type { DuplicatesReport } from '../../../src-shared/curation';
import type { CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { reportScan } from './scan-progress';

const SHOWN = 30;

export const dupesCommand: CliCommand = {
  register(program: Command) {
    program
      .command('dupes')
      .description('list exact and near-duplicate images, and clusters that leak across splits')
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--fix', 'keep every leaking cluster in one split')
      .option('--json', 'print JSON instead of text')
      .action(async (dir: string, o: { fix?: boolean; json?: boolean }) => {
        await withStudio(
          dir,
          async ({ api, on }) => {
            reportScan(on);
            const report = await api.curation.duplicates();
            const fix = o.fix && report.leaking ? await api.curation.fixLeakage({ clusterId: 'all' }) : null;
            if (o.json) console.log(JSON.stringify({ ...report, fix }, null, 2));
            else console.log(formatDupes(report) + (fix ? `\n\nFixed: ${fix.description}` : ''));
            // A leak left in place is worth a non-zero status in scripts and CI.
            process.exitCode = report.leaking && !fix ? 2 : 0;
          },
          { write: true },
        ); // the scan records each image's reductions
      });
  },
};

export function formatDupes(r: DuplicatesReport): string {
  const lines = [
    `exact duplicates ${r.exact.length}, near-duplicate clusters ${r.clusters.length}, leaking ${r.leaking}, copy conflicts ${r.conflicts}`,
  ];
  for (const c of r.clusters.slice(0, SHOWN)) {
    lines.push('', `cluster ${c.id}${c.leaking ? '  LEAKING' : ''}  (${c.splits.join(', ') || 'no split'})`);
    for (const m of c.members) lines.push(`  ${m.split ?? '-'}\t${m.path ?? m.hash}`);
  }
  if (r.clusters.length > SHOWN)
    lines.push('', `... and ${r.clusters.length - SHOWN} more clusters (--json lists all)`);
  if (r.leaking)
    lines.push(
      '',
      'Leaking clusters make validation and test scores too high. Run again with --fix to keep each in one split.',
    );
  return lines.join('\n');
}
