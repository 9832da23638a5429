// `studio resume PROJECT RUN`: continues an interrupted run (its process was killed, the
// machine went down, the project was closed) from its last finished epoch, with the same
// progress bar as `studio train` on stderr and the run's summary on stdout.
import type { Command } from 'commander';
import { StudioError } from '../../../src-shared/errors';
import type { CliCommand } from '../command';
import { withStudio } from '../studio-client';
import { followRuns, runsExitCode } from './follow-runs';
import { runLine } from './run-format';

export const resumeCommand: CliCommand = {
  register(program: Command) {
    program
      .command('resume')
      .description('resume an interrupted run from its last finished epoch (see `studio runs`)')
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<run>', 'the id of the run to resume', runId)
      .action(runResume);
  },
};

function runId(v: string): number {
  if (!/^\d+$/.test(v))
    throw new StudioError('invalid-input', `"${v}" is not a run id; pass the number \`studio runs\` lists.`);
  return Number(v);
}

function runResume(dir: string, id: number): Promise<void> {
  return withStudio(
    dir,
    async (s) => {
      // Opening the project marks runs whose training process is gone as interrupted.
      const before = await s.api.runs.get({ runId: id });
      if (before.status === 'running' || before.status === 'queued') {
        throw new StudioError(
          'busy',
          `Run ${id} is still ${before.status} in another process (a \`studio train\`, or the studio); wait for it, or cancel it there.`,
        );
      }
      const follow = followRuns(s);
      try {
        await s.api.runs.resume({ runId: id });
        const [run] = await follow.ended([id]);
        console.log(runLine(run!));
        process.exitCode = runsExitCode([run!]);
      } finally {
        follow.stop();
      }
    },
    { write: true },
  );
}
