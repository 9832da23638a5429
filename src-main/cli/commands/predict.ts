// `studio predict EXPORT_DIR FOLDER --out FILE.csv`: classifies every file under FOLDER
// with an exported model: a tfjs export on tfjs, an ONNX export on ONNX Runtime. Files
// that cannot be decoded are listed as problems and the rest are predicted: exit 0, as
// with import.
import { resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { StudioError } from '../../../src-shared/errors';
import { replaceFileSync } from '../../../src-node-shared/fs/replace-file';
import { refuseProjectFile } from '../../services/folders/access';
import { checkFolder } from '../../services/import/import-service';
import type { CliCommand } from '../command';

const SHOWN_PROBLEMS = 20;

export const predictCommand: CliCommand = {
  register(program: Command) {
    program
      .command('predict')
      .description('predict the class of every image under a folder with an exported model; writes a CSV')
      .argument('<export>', 'a folder made by `studio export` (tfjs or --format onnx)')
      .argument('<folder>', 'the images to classify (searched recursively)')
      .requiredOption('--out <file>', 'the CSV to write: path, predicted, confidence, one probability per class')
      .action(runPredict);
  },
};

async function runPredict(exportDir: string, folder: string, opts: { out: string }): Promise<void> {
  checkFolder(resolve(folder));
  // Refused before the model loads, not after a long prediction.
  refuseProjectFile(resolve(opts.out), '--out');
  // The engine (TensorFlow.js) loads only for this command, so the others start fast.
  const { selectBackend } = await import('../../../src-node-shared/backend');
  const { filesUnder, loadExport, predictFiles, predictionsCsv } = await import('../predict-folder');
  // Even an ONNX export, which runs on ONNX Runtime, needs one: decoded images are stacked by tfjs.
  await selectBackend();
  const exp = await loadExport(resolve(exportDir));
  const files = filesUnder(resolve(folder));
  const bar = new SingleBar(
    { stream: process.stderr, format: 'predict [{bar}] {value}/{total}', hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(files.length, 0);
  const { rows, problems } = await predictFiles(exp, files, { onProgress: (done) => bar.update(done) }).finally(() =>
    exp.dispose(),
  );
  bar.stop();
  try {
    replaceFileSync(opts.out, predictionsCsv(exp.manifest.labels, rows));
  } catch (err) {
    throw new StudioError(
      'invalid-input',
      `Cannot write ${resolve(opts.out)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Choose a folder you can write to.`,
    );
  }
  const lines = [
    `Predicted ${rows.length} of ${files.length} files with ${exp.manifest.backboneId} (${exp.runtime}) into ${resolve(opts.out)}; ${problems.length} problems`,
  ];
  if (problems.length) lines.push('', 'Problems (these files were left out; the rest were predicted):');
  for (const p of problems.slice(0, SHOWN_PROBLEMS)) lines.push(`  ${p.path}`, `    ${p.reason}`);
  if (problems.length > SHOWN_PROBLEMS) lines.push(`  ... ${problems.length - SHOWN_PROBLEMS} more`);
  console.log(lines.join('\n'));
}
