// `studio train PROJECT`: trains on the project's labeled images with a progress bar on
// stderr and a summary on stdout. The config comes from --config FILE.json (a RunConfig,
// defaults filled in), else from good defaults; flags override either. The contract's door
// checks it, like the launcher's: its error names the field (docs/config-walk.md).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RUN_DEFAULTS } from '../../../src-shared/engine-config';
import type { RunConfigInput } from '../../../src-shared/engine-config';
import { StudioError } from '../../../src-shared/errors';
import type { BackboneInfo } from '../../../src-shared/backbones';
import type { StartRunInput } from '../../../src-shared/runs';
import type { CliCommand } from '../command';
import { withStudio } from '../studio-client';
import type { CliSession } from '../studio-client';
import { downloadWithBar } from './backbones';
import { followRuns, runsExitCode } from './follow-runs';
import { groupLines, runLine } from './run-format';

interface TrainFlags {
  config?: string;
  backbone?: string;
  inputSize?: number;
  epochs?: number;
  unfreeze?: number;
  seed?: number;
  folds?: number;
  name?: string;
}

const int = (v: string) => Number.parseInt(v, 10);

export const trainCommand: CliCommand = {
  register(program: Command) {
    program
      .command('train')
      .description("train a classifier on the project's labeled images (phase 1, then phase 2 with --unfreeze)")
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--config <file>', 'a run config as JSON (backboneId, head, phase1, phase2, augment, seed)')
      .option(
        '--backbone <id>',
        'backbone id from `studio backbones` (default: the best one whose ImageNet weights are present)',
      )
      .option('--input-size <px>', 'input size the backbone allows', int)
      .option('--epochs <n>', 'epochs of each phase', int)
      .option('--unfreeze <n>', 'fine-tune the last N blocks in a phase 2 at a low learning rate', int)
      .option('--seed <n>', 'seed for shuffles, splits carved for the run, initial weights', int)
      .option('--folds <k>', 'k-fold cross-validation on train + val: K runs, summarised', int)
      .option('--name <text>', 'name of the run in the runs table')
      .action(runTrain);
  },
};

/**
 * RUN_DEFAULTS (the launcher's form starts there too), or the --config file; flags override
 * either. Not checked here: `runs.start` parses it at the contract's door, which names a bad field.
 */
export function configFrom(flags: TrainFlags, defaultBackbone: string): RunConfigInput {
  const c: RunConfigInput = flags.config
    ? { ...readConfigFile(flags.config) }
    : { ...RUN_DEFAULTS.run, backboneId: defaultBackbone };
  if (flags.backbone) c.backboneId = flags.backbone;
  if (flags.inputSize) c.inputSize = flags.inputSize;
  if (flags.seed !== undefined) c.seed = flags.seed;
  if (flags.epochs) c.phase1 = { ...c.phase1, epochs: flags.epochs };
  if (flags.unfreeze) c.phase2 = { ...(c.phase2 ?? RUN_DEFAULTS.phase2), unfreezeBlocks: flags.unfreeze };
  if (flags.epochs && c.phase2) c.phase2 = { ...c.phase2, epochs: flags.epochs };
  return c;
}

function readConfigFile(file: string): RunConfigInput {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as RunConfigInput;
    throw new Error('it holds no JSON object');
  } catch (err) {
    throw new StudioError(
      'invalid-input',
      `cannot read the config ${file}: ${(err as Error).message}. Pass a JSON file holding a run config.`,
    );
  }
}

/** First use of a Keras backbone downloads its ImageNet weights, with a progress bar. */
async function ensureWeights(s: CliSession, list: BackboneInfo[], id: string): Promise<void> {
  const chosen = list.find((b) => b.id === id);
  if (!chosen || chosen.weights.present) return;
  console.error(
    `${id}: its ImageNet weights (${chosen.weights.file}) are not in the model cache yet; downloading them once from ${chosen.weights.url}`,
  );
  const end = await downloadWithBar(s, id);
  if (end.state !== 'done')
    throw new StudioError(
      end.state === 'cancelled' ? 'cancelled' : 'invalid-input',
      end.message ?? `download of ${id} ${end.state}`,
    );
}

/** The door's refusal of a --config file's field says which file it was in. */
async function startRuns(s: CliSession, input: StartRunInput, file: string | undefined) {
  try {
    return await s.api.runs.start(input);
  } catch (err) {
    if (!file || !(err instanceof StudioError) || err.code !== 'invalid-input') throw err;
    throw new StudioError('invalid-input', `${err.message} (in ${file})`);
  }
}

function runTrain(dir: string, flags: TrainFlags): Promise<void> {
  return withStudio(
    dir,
    async (s) => {
      const list = await s.api.backbones.list();
      const config = configFrom(flags, list.find((b) => b.recommended)!.id);
      if (typeof config.backboneId === 'string') await ensureWeights(s, list, config.backboneId);
      const follow = followRuns(s);
      try {
        const { runIds, groupId } = await startRuns(s, { config, name: flags.name, folds: flags.folds }, flags.config);
        const runs = await follow.ended(runIds);
        console.log(runs.map(runLine).join('\n'));
        if (groupId !== null) console.log(groupLines(await s.api.runs.groupSummary({ groupId })));
        process.exitCode = runsExitCode(runs);
      } finally {
        follow.stop();
      }
    },
    { write: true },
  );
}
