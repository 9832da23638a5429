// `studio export PROJECT RUN_ID [--format tfjs|onnx] [--out DIR]`: a finished run as a
// tfjs layers model or an ONNX model, with its manifest (labels, input size,
// preprocessing), for `studio predict`, any tfjs app or any ONNX runtime.
import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { ExportFormat, ONNX_EXPORT_FORMAT } from '../../../src-shared/engine-export';
import type { CliCommand } from '../command';
import { withStudio } from '../studio-client';

export const exportCommand: CliCommand = {
  register(program: Command) {
    program
      .command('export')
      .description(
        'export a finished run as a tfjs layers model (model.json, weights.bin) or ONNX (model.onnx), with manifest.json',
      )
      .argument('<project>', 'the project folder (holding studio.db)')
      .argument('<run>', 'the run id (see `studio runs`)', (v) => Number.parseInt(v, 10))
      .addOption(
        new Option(
          '--format <format>',
          'tfjs: preprocessed pixels in; onnx: RGB 0..255 in, preprocessing inside, checked on ONNX Runtime',
        )
          .choices(ExportFormat.options)
          .default('tfjs'),
      )
      .option('--out <dir>', 'where to write it (default <project>/runs/<id>/export, or export-onnx)')
      .action(async (dir: string, runId: number, opts: { out?: string; format: ExportFormat }) => {
        const outDir = opts.out ? resolve(opts.out) : undefined;
        await withStudio(
          dir,
          async ({ api }) => {
            const { dir: out, manifest } = await api.runs.export({ runId, outDir, format: opts.format });
            console.log(`Exported run ${runId} to ${out}`);
            console.log(
              `  ${manifest.backboneId} at ${manifest.inputSize} px, ${manifest.labels.length} classes: ${manifest.labels.join(', ')}`,
            );
            if (manifest.format === ONNX_EXPORT_FORMAT) {
              console.log(
                `  input: ${manifest.input.name}, RGB 0..255, NHWC float32 [n, ${manifest.inputSize}, ${manifest.inputSize}, 3]; inside the model: ${manifest.preprocessingText}`,
              );
            } else {
              console.log(
                `  input: ${manifest.preprocessingText} (not inside the model: apply it first, as \`studio predict\` does)`,
              );
            }
          },
          { paths: outDir ? [outDir] : [] },
        );
      });
  },
};
