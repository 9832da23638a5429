// `studio resume PROJECT RUN`: continues an interrupted run (its process was killed, the
// machine went down, the project was closed) from its last finished epoch, with the same
// progress bar as `studio train` on stderr and the run's summary on stdout.
import type { Command } from 'commander';
import { StudioError } from '../../../src-shared/errors';
import { openProject } from '../../services/project/project';
import { RunService } from '../../services/runs/run-service';
import type { CliCommand } from '../command';
import { runLine, pct } from './run-format';
import { progressBar } from './train';

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
  if (!/^\d+$/.test(v)) throw new StudioError('invalid-input', `"${v}" is not a run id; pass the number \`studio runs\` lists.`);
  return Number(v);
}

async function runResume(dir: string, id: number): Promise<void> {
  const project = openProject(dir, { create: false });
  const { bar, show } = progressBar();
  try {
    // Opening the service marks runs whose training process is gone as interrupted.
    const service = new RunService(project, {
      progress: show,
      epoch: ({ metrics: m }) => bar.update({ info: `loss ${m.trainLoss.toFixed(4)} val acc ${pct(m.valAcc)}` }),
      status: () => {},
    });
    const before = service.get(id);
    if (before.status === 'running' || before.status === 'queued') {
      throw new StudioError('busy', `Run ${id} is still ${before.status} in another process (a \`studio train\`, or the studio); wait for it, or cancel it there.`);
    }
    service.resume(id);
    const onInterrupt = () => service.cancel(id);
    process.once('SIGINT', onInterrupt);
    await service.idle();
    process.off('SIGINT', onInterrupt);
    bar.stop();
    const run = service.get(id);
    console.log(runLine(run));
    process.exitCode = run.status === 'done' ? 0 : run.status === 'cancelled' ? 130 : 1;
  } finally {
    bar.stop();
    project.close();
  }
}
