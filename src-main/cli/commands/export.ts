// `studio export PROJECT RUN_ID [--out DIR]`: a finished run as a tfjs layers model with
// its manifest (labels, input size, preprocessing), for `studio predict` or any tfjs app.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openProject } from '../../services/project/project';
import { RunService } from '../../services/runs/run-service';
import type { CliCommand } from '../command';

export const exportCommand: CliCommand = {
  register(program: Command) {
    program
      .command('export')
      .description('export a finished run as a tfjs layers model (model.json, weights.bin, manifest.json)')
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<run>', 'the run id (see `studio runs`)', (v) => Number.parseInt(v, 10))
      .option('--out <dir>', 'where to write it (default <project>/runs/<id>/export)')
      .action(async (dir: string, runId: number, opts: { out?: string }) => {
        const project = openProject(dir, { create: false });
        try {
          const service = new RunService(project, { progress: () => {}, epoch: () => {}, status: () => {} });
          const { dir: out, manifest } = await service.export(runId, opts.out ? resolve(opts.out) : undefined);
          console.log(`Exported run ${runId} to ${out}`);
          console.log(`  ${manifest.backboneId} at ${manifest.inputSize} px, ${manifest.labels.length} classes: ${manifest.labels.join(', ')}`);
          console.log(`  input: ${manifest.preprocessingText} (not inside the model: apply it first, as \`studio predict\` does)`);
        } finally {
          project.close();
        }
      });
  },
};
