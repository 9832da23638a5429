// `studio bakeoff PROJECT --backbones a,b,c [--sizes 96,160] [plan flags as studio train]`:
// one run per backbone (and size) on the same frozen split, seed and head, trained one
// after another, then the comparison table. `--show ID` prints a stored bake-off's table
// (after a restart, or while `studio resume` finishes its runs); `--list` lists them.
import { formatPercent } from '../../../src-shared/format';
import type { Command } from 'commander';
import type { BakeoffEntry, BakeoffSummary, Proportion } from '../../../src-shared/bakeoff';
import { StudioError } from '../../../src-shared/errors';
import { formatBytes } from '../../../src-shared/format';
import type { CliCommand } from '../command';
import { table } from '../command';
import { withStudio } from '../studio-client';
import { followRuns } from './follow-runs';
import { seconds } from './run-format';
import { configFrom } from './train';

interface BakeoffFlags {
  backbones?: string;
  sizes?: string;
  config?: string;
  epochs?: number;
  unfreeze?: number;
  seed?: number;
  name?: string;
  show?: number;
  list?: boolean;
  json?: boolean;
}

const int = (v: string) => Number.parseInt(v, 10);

export const bakeoffCommand: CliCommand = {
  register(program: Command) {
    program
      .command('bakeoff')
      .description('train several backbones (and sizes) on one plan, the same split and seed, and compare them')
      .argument('<project>', 'the project folder (holding studio.db)')
      .option('--backbones <ids>', 'comma-separated backbone ids from `studio backbones`; id@px pins a size')
      .option('--sizes <px>', 'comma-separated input sizes: each backbone (without @px) at each size')
      .option('--config <file>', 'a run config as JSON, the plan every backbone shares')
      .option('--epochs <n>', 'epochs of each phase', int)
      .option('--unfreeze <n>', 'fine-tune the last N blocks of each backbone in a phase 2', int)
      .option('--seed <n>', 'seed for shuffles, carved splits and initial weights, shared by every run', int)
      .option('--name <text>', 'name of the bake-off')
      .option('--show <id>', "print a stored bake-off's table without training", int)
      .option('--list', "list the project's bake-offs")
      .option('--json', 'print JSON instead of a table')
      .action(runBakeoff);
  },
};

/** `a,b@128` with sizes 96,160 -> a@96, a@160, b@128. */
export function entriesOf(backbones: string, sizes?: string): BakeoffEntry[] {
  const list = sizes ? sizes.split(',').map((s) => int(s.trim())) : [];
  if (list.some((s) => !Number.isInteger(s) || s <= 0))
    throw new StudioError('invalid-input', `--sizes: "${sizes}" is not a list of whole pixel sizes, e.g. 96,160`);
  const entries = backbones
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((item): BakeoffEntry[] => {
      const [backboneId, px] = item.split('@') as [string, string | undefined];
      if (px !== undefined) return [{ backboneId, inputSize: int(px) }];
      return list.length ? list.map((inputSize) => ({ backboneId, inputSize })) : [{ backboneId }];
    });
  if (entries.length < 2)
    throw new StudioError(
      'invalid-input',
      '--backbones: a bake-off compares at least two backbones or sizes, e.g. --backbones nsfwjs_mobilenet_v2,mobilenet_0.25',
    );
  return entries;
}

const interval = (p: Proportion | null) =>
  p ? `${formatPercent(p.value)} [${(p.low * 100).toFixed(0)}-${(p.high * 100).toFixed(0)}] n=${p.n}` : '-';
const ms = (v: number | null) => (v === null ? '-' : v < 1000 ? `${v.toFixed(1)} ms` : seconds(v));
const millions = (v: number | null) => (v === null ? '-' : `${(v / 1e6).toFixed(2)} M`);

export function bakeoffTable(s: BakeoffSummary): string {
  const head = [
    'run',
    'backbone',
    'px',
    'status',
    'val acc [95% CI]',
    'val F1',
    'test acc [95% CI]',
    'test F1',
    'p1 epoch',
    'p2 epoch',
    'cache',
    'latency/img',
    'params',
    'weights',
    'pareto',
  ];
  const rows = s.rows.map((r) => [
    r.runId,
    r.backboneId,
    r.inputSize,
    r.status,
    interval(r.valAcc),
    formatPercent(r.valMacroF1),
    interval(r.testAcc),
    formatPercent(r.testMacroF1),
    ms(r.phase1EpochMs),
    ms(r.phase2EpochMs),
    ms(r.cacheMs),
    ms(r.latencyMs),
    millions(r.backboneParams !== null && r.headParams !== null ? r.backboneParams + r.headParams : r.backboneParams),
    r.weightBytes === null ? '-' : formatBytes(r.weightBytes),
    r.pareto ? '*' : '',
  ]);
  return [
    `Bake-off ${s.bakeoffId} "${s.name}": ${s.done} of ${s.rows.length} runs done; seed ${s.seed}, manifest ${s.manifestDigest?.slice(0, 12) ?? '-'}`,
    table([head, ...rows]),
    `* on the Pareto front of ${s.accuracyOf} accuracy against latency (backbone + head, one image, batch 1, on the training backend, timed after each run).`,
    'Where two intervals overlap, the test set cannot tell those backbones apart.',
  ].join('\n');
}

async function runBakeoff(dir: string, flags: BakeoffFlags): Promise<void> {
  if (flags.list || flags.show !== undefined) return showStored(dir, flags);
  if (!flags.backbones)
    throw new StudioError(
      'invalid-input',
      '--backbones is required (or --show ID / --list), e.g. --backbones nsfwjs_mobilenet_v2,mobilenet_0.25',
    );
  const entries = entriesOf(flags.backbones, flags.sizes);
  await withStudio(
    dir,
    async (s) => {
      const known = await s.api.backbones.list();
      for (const e of entries) {
        const b = known.find((k) => k.id === e.backboneId);
        if (b && !b.weights.present)
          throw new StudioError(
            'invalid-input',
            `${b.id}: its weights are not in the model cache; run \`studio backbones download ${b.id}\` (or import the .h5) first.`,
          );
      }
      const config = configFrom({ ...flags, backbone: entries[0]!.backboneId }, entries[0]!.backboneId);
      const follow = followRuns(s);
      try {
        const { bakeoffId, runIds } = await s.api.runs.bakeoff({ config, entries, name: flags.name });
        await follow.ended(runIds);
        const summary = await s.api.runs.bakeoffSummary({ bakeoffId });
        console.log(flags.json ? JSON.stringify(summary, null, 2) : bakeoffTable(summary));
        process.exitCode = summary.rows.every((r) => r.status === 'done') ? 0 : 1;
      } finally {
        follow.stop();
      }
    },
    { write: true },
  );
}

function showStored(dir: string, flags: BakeoffFlags): Promise<void> {
  return withStudio(dir, async ({ api }) => {
    if (flags.list) {
      const list = await api.runs.bakeoffs();
      if (flags.json) return console.log(JSON.stringify(list, null, 2));
      console.log(
        list.length
          ? table([['id', 'name', 'runs'], ...list.map((b) => [b.bakeoffId, b.name, b.runIds.join(' ')])])
          : 'No bake-offs yet.',
      );
      return;
    }
    const summary = await api.runs.bakeoffSummary({ bakeoffId: flags.show! });
    console.log(flags.json ? JSON.stringify(summary, null, 2) : bakeoffTable(summary));
  });
}
