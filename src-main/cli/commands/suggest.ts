// `studio suggest PROJECT`: trains the labeling assistant on the labeled images (building
// the default backbone's features where the cache lacks them, with a progress line) and
// prints its suggestions for the unlabeled ones; `--accept-above P [--class X]` labels
// those at or above P as one undoable edit; `--like IMAGE [--k N]` prints the images nearest
// to one by the assistant's features ("more like this"), labeled or not.
import { formatPercent } from '../../../src-shared/format';
import type { Command } from 'commander';
import type { AcceptOutput, AssistState, SimilarOutput, SuggestionsOutput } from '../../../src-shared/assist';
import type { ClassInfo } from '../../../src-shared/schemas';
import { StudioError } from '../../../src-shared/errors';
import { plural } from '../../../src-shared/plural';
import { table, type CliCommand } from '../command';
import { withStudio, type CliSession } from '../studio-client';

interface SuggestFlags {
  json?: boolean;
  acceptAbove?: number;
  class?: string;
  limit: number;
  backbone?: string;
  inputSize?: number;
  like?: number;
  k?: number;
}

/** A positive whole number for `flag`, or an error naming it. */
function count(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || v.trim() === '')
      throw new StudioError('invalid-input', `${flag}: "${v}" is not a positive whole number`);
    return n;
  };
}

function probability(v: string): number {
  const p = Number(v);
  if (!(p >= 0 && p <= 1) || v.trim() === '')
    throw new StudioError(
      'invalid-input',
      `--accept-above: "${v}" is not a probability; give one between 0 and 1, e.g. 0.95`,
    );
  return p;
}

function classIdOf(classes: ClassInfo[], name: string): number {
  const found = classes.find((c) => c.name === name);
  if (!found)
    throw new StudioError(
      'invalid-input',
      `--class: there is no class "${name}" in this project; its classes are ${classes.map((c) => `"${c.name}"`).join(', ')}`,
    );
  return found.id;
}

async function trained(s: CliSession): Promise<AssistState> {
  const off = s.on('assist.state', (st) => st.status === 'building' && process.stderr.write(`\r${st.message}   `));
  const onInterrupt = () => void s.api.assist.cancel();
  process.once('SIGINT', onInterrupt);
  try {
    const state = await s.api.assist.refresh();
    process.stderr.write('\n');
    if (state.status !== 'ready')
      throw new StudioError(state.status === 'waiting' ? 'invalid-input' : 'internal', state.message);
    return state;
  } finally {
    process.off('SIGINT', onInterrupt);
    off();
  }
}

export const suggestCommand: CliCommand = {
  register(program: Command) {
    program
      .command('suggest')
      .description(
        'train the labeling assistant and print its suggestions for the unlabeled images, or accept those above a probability',
      )
      .argument('<project>', 'the project folder (holding studio.db)')
      .option(
        '--accept-above <p>',
        'label every unlabeled image suggested with at least this probability (one undoable edit)',
        probability,
      )
      .option('--class <name>', 'with --accept-above: only suggestions of this class')
      .option('--limit <n>', 'how many suggestions to print', (v) => Number.parseInt(v, 10), 20)
      .option('--backbone <id>', 'the backbone whose features it uses (default: the default backbone)')
      .option('--input-size <px>', "its input size (default: the backbone's own)", (v) => Number.parseInt(v, 10))
      .option(
        '--like <image>',
        'print the images nearest to this image id by the same features ("more like this")',
        count('--like'),
      )
      .option('--k <n>', 'with --like: how many neighbours (default 20)', count('--k'))
      .option('--json', 'print JSON instead of a table')
      .action((dir: string, flags: SuggestFlags) =>
        withStudio(
          dir,
          async (s) => {
            if (flags.class !== undefined && flags.acceptAbove === undefined)
              throw new StudioError(
                'invalid-input',
                '--class goes with --accept-above P: say which probability to accept above',
              );
            if (flags.k !== undefined && flags.like === undefined)
              throw new StudioError(
                'invalid-input',
                '--k goes with --like IMAGE: say which image to find neighbours of',
              );
            if (flags.like !== undefined && flags.acceptAbove !== undefined)
              throw new StudioError('invalid-input', '--like and --accept-above do different things: give one of them');
            const classes = await s.api.dataset.classes();
            const classId = flags.class === undefined ? undefined : classIdOf(classes, flags.class);
            const state = await trained(s);
            const names = new Map(classes.map((c) => [c.id, c.name]));
            if (flags.like !== undefined) {
              const near = await s.api.assist.similar({ imageId: flags.like, count: flags.k ?? 20 });
              return console.log(
                flags.json ? JSON.stringify({ state, similar: near }, null, 2) : similarText(near, names),
              );
            }
            if (flags.acceptAbove !== undefined) {
              const out = await s.api.assist.accept({ threshold: flags.acceptAbove, classId });
              return console.log(
                flags.json ? JSON.stringify({ state, accepted: out }, null, 2) : acceptText(out, flags.acceptAbove),
              );
            }
            const out = await s.api.assist.suggestions({ limit: flags.limit });
            console.log(
              flags.json ? JSON.stringify({ state, suggestions: out }, null, 2) : suggestionsText(state, out, names),
            );
          },
          {
            write: flags.acceptAbove !== undefined,
            assist: { backboneId: flags.backbone, inputSize: flags.inputSize },
          },
        ),
      );
  },
};

function suggestionsText(state: AssistState, out: SuggestionsOutput, names: Map<number, string>): string {
  const head = `${state.message} Backbone ${state.backboneId} at ${state.inputSize} px.`;
  if (out.total === 0) return `${head}\nNo unlabeled images to suggest for.`;
  const rows = out.items.map((s) => [
    s.imageId,
    names.get(s.classId) ?? String(s.classId),
    formatPercent(s.probability),
    s.margin.toFixed(2),
  ]);
  return [
    head,
    `${plural(out.total, 'unlabeled image')}, most confident first:`,
    table([['image', 'suggested', 'probability', 'margin'], ...rows]),
  ].join('\n');
}

function similarText(out: SimilarOutput, names: Map<number, string>): string {
  const rows = out.items.map((s) => [
    s.imageId,
    s.labelClassId === null ? '-' : (names.get(s.labelClassId) ?? String(s.labelClassId)),
    s.distance.toFixed(3),
  ]);
  return [
    `${plural(out.items.length, 'image')} nearest to image ${out.imageId}, nearest first:`,
    table([['image', 'label', 'distance'], ...rows]),
  ].join('\n');
}

function acceptText(out: AcceptOutput, p: number): string {
  if (out.total === 0) return `No unlabeled image is suggested with ${formatPercent(p)} or more; nothing changed.`;
  const per = out.perClass.map((c) => `${c.name} ${c.count}`).join(', ');
  return `Labeled ${plural(out.total, 'image')} (${per}) as one edit; the app's Undo (Ctrl+Z) takes it back.`;
}
