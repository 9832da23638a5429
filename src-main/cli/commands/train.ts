// `studio train PROJECT`: trains on the project's labeled images with a progress bar on
// stderr and a summary on stdout. The config comes from --config FILE.json (a RunConfig,
// defaults filled in), else from good defaults; flags override either.
import { readFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { RUN_DEFAULTS, RunConfig } from '../../../src-shared/engine-config';
import type { RunConfigInput } from '../../../src-shared/engine-config';
import { StudioError } from '../../../src-shared/errors';
import { cacheRateText } from '../../../src-shared/runs';
import type { RunsProgress } from '../../../src-shared/runs';
import { openProject } from '../../services/project/project';
import { RunService } from '../../services/runs/run-service';
import type { CliCommand } from '../command';
import type { BackboneDownload, BackboneInfo } from '../../../src-shared/backbones';
import { BackboneService } from '../../services/backbones/backbone-service';
import { downloadWithBar } from './backbones';
import { groupLines, pct, runLine } from './run-format';

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
      .description('train a classifier on the project\'s labeled images (phase 1, then phase 2 with --unfreeze)')
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--config <file>', 'a run config as JSON (backboneId, head, phase1, phase2, augment, seed)')
      .option('--backbone <id>', 'backbone id from `studio backbones` (default: the best one whose ImageNet weights are present)')
      .option('--input-size <px>', 'input size the backbone allows', int)
      .option('--epochs <n>', 'epochs of each phase', int)
      .option('--unfreeze <n>', 'fine-tune the last N blocks in a phase 2 at a low learning rate', int)
      .option('--seed <n>', 'seed for shuffles, splits carved for the run, initial weights', int)
      .option('--folds <k>', 'k-fold cross-validation on train + val: K runs, summarised', int)
      .option('--name <text>', 'name of the run in the runs table')
      .action(runTrain);
  },
};

/** RUN_DEFAULTS (the launcher's form starts there too), or the --config file; flags override either. */
export function configFrom(flags: TrainFlags, defaultBackbone: string): RunConfig {
  const c: RunConfigInput = flags.config ? { ...readConfigFile(flags.config) } : { ...RUN_DEFAULTS.run, backboneId: defaultBackbone };
  if (flags.backbone) c.backboneId = flags.backbone;
  if (flags.inputSize) c.inputSize = flags.inputSize;
  if (flags.seed !== undefined) c.seed = flags.seed;
  if (flags.epochs) c.phase1 = { ...c.phase1, epochs: flags.epochs };
  if (flags.unfreeze) c.phase2 = { ...(c.phase2 ?? RUN_DEFAULTS.phase2), unfreezeBlocks: flags.unfreeze };
  if (flags.epochs && c.phase2) c.phase2 = { ...c.phase2, epochs: flags.epochs };
  const parsed = RunConfig.safeParse(c);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudioError('invalid-input', `config field "${issue.path.join('.') || '(root)'}": ${issue.message}${flags.config ? ` (in ${flags.config})` : ''}`);
  }
  return parsed.data;
}

function readConfigFile(file: string): RunConfigInput {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunConfigInput;
  } catch (err) {
    throw new StudioError('invalid-input', `cannot read the config ${file}: ${(err as Error).message}. Pass a JSON file holding a run config.`);
  }
}

export function progressBar(): { bar: SingleBar; show: (p: RunsProgress) => void } {
  const bar = new SingleBar({ stream: process.stderr, format: 'run {run} {stage} [{bar}] {value}/{total} {info}', hideCursor: true }, Presets.shades_classic);
  let started = false;
  const show = (p: RunsProgress) => {
    const stage = p.kind === 'features' ? `phase ${p.phase} features ${p.split}` : `phase ${p.phase} epoch ${p.epoch + 1}`;
    const info = p.kind === 'features' ? `(${[`${p.fromCache} cached`, cacheRateText(p)].filter(Boolean).join(', ')})` : `loss ${p.loss.toFixed(4)}`;
    const [value, total] = p.kind === 'features' ? [p.done, p.total] : [p.batch + 1, p.batches];
    if (!started) bar.start(total, value, { run: p.runId, stage, info });
    started = true;
    bar.setTotal(total);
    bar.update(value, { run: p.runId, stage, info });
  };
  return { bar, show };
}

/** First use of a Keras backbone downloads its ImageNet weights, with a progress bar. */
async function ensureWeights(backbones: BackboneService, list: BackboneInfo[], id: string, listen: (l: (d: BackboneDownload) => void) => void): Promise<void> {
  const chosen = list.find((b) => b.id === id);
  if (!chosen || chosen.weights.present) return;
  console.error(`${id}: its ImageNet weights (${chosen.weights.file}) are not in ${backbones.cacheDir} yet; downloading them once from ${chosen.weights.url}`);
  const end = await downloadWithBar(backbones, id, listen);
  if (end.state !== 'done') throw new StudioError(end.state === 'cancelled' ? 'cancelled' : 'invalid-input', end.message ?? `download of ${id} ${end.state}`);
}

async function runTrain(dir: string, flags: TrainFlags): Promise<void> {
  let listener: (d: BackboneDownload) => void = () => undefined;
  const backbones = new BackboneService({ emit: (d) => listener(d) });
  const list = await backbones.list();
  const config = configFrom(flags, list.find((b) => b.recommended)!.id);
  await ensureWeights(backbones, list, config.backboneId, (l) => (listener = l));
  const project = openProject(dir, { create: false });
  const { bar, show } = progressBar();
  const service = new RunService(project, {
    progress: show,
    epoch: ({ metrics: m }) => bar.update({ info: `loss ${m.trainLoss.toFixed(4)} val acc ${pct(m.valAcc)}` }),
    status: () => {},
  });
  try {
    const { runIds, groupId } = service.start({ config, name: flags.name, folds: flags.folds });
    // Ctrl-C cancels what trains and what waits; each keeps what it recorded.
    const onInterrupt = () => runIds.forEach((id) => service.cancel(id));
    process.once('SIGINT', onInterrupt);
    await service.idle();
    process.off('SIGINT', onInterrupt);
    bar.stop();
    const runs = runIds.map((id) => service.get(id));
    console.log(runs.map(runLine).join('\n'));
    if (groupId !== null) console.log(groupLines(service.groupSummary(groupId)));
    process.exitCode = runs.every((r) => r.status === 'done') ? 0 : runs.some((r) => r.status === 'cancelled') ? 130 : 1;
  } finally {
    bar.stop();
    project.close();
  }
}
