// `studio backbones`: the registry with where each backbone's weights are; `download ID`
// fetches Keras' ImageNet file with a progress bar; `import FILE --arch ID` checks a .h5
// the user has against the architecture and adds it to the per-user model cache.
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { BackboneDownload, BackboneInfo } from '../../../src-shared/backbones';
import { StudioError } from '../../../src-shared/errors';
import { kerasEntryId } from '../../../src-node-shared/backbones/registry';
import type { CliCommand } from '../command';
import { table } from '../command';
import { withBareStudio } from '../studio-client';
import type { CliSession } from '../studio-client';

const mb = (bytes: number | null) => (bytes === null ? '' : `${(bytes / 1e6).toFixed(1)} MB`);

function weightsText(b: BackboneInfo): string {
  const w = b.weights;
  if (!w.present) return `missing (${w.file ?? 'no file'})`;
  if (w.source === 'bundled') return b.tuning === 'nsfw' ? 'bundled, NSFW-tuned' : 'bundled';
  return `${w.source}ed, ${mb(w.bytes)}, sha256 ${w.sha256!.slice(0, 12)}`;
}

export function backboneTable(list: BackboneInfo[]): string {
  const rows: (string | number)[][] = [['id', 'label', 'params', 'input', 'preprocessing', 'blocks', 'weights']];
  for (const b of list) {
    const sizes = b.minInputSize === null ? b.allowedInputSizes.join('/') : `${b.inputSize} (${b.minInputSize}+)`;
    const params = b.params === null ? '?' : `${(b.params / 1e6).toFixed(2)}M`;
    const blocks = `${b.blocks.length}: ${b.blocks[0]}..${b.blocks[b.blocks.length - 1]}`;
    rows.push([
      `${b.recommended ? '*' : ' '}${b.id}`,
      b.name,
      params,
      sizes,
      b.preprocessing.kind,
      blocks,
      weightsText(b),
    ]);
  }
  return `${table(rows)}\n  * the default: the best backbone whose ImageNet weights are present`;
}

/** A progress bar on stderr over the download's events; Ctrl-C cancels it. Resolves with how it ended. */
export async function downloadWithBar(s: Pick<CliSession, 'api' | 'on'>, id: string): Promise<BackboneDownload> {
  const bar = new SingleBar(
    { stream: process.stderr, format: '{file} [{bar}] {mb} {rate} ETA {eta_s}', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  let settle: (d: BackboneDownload) => void = () => {};
  const settled = new Promise<BackboneDownload>((resolve) => (settle = resolve));
  const off = s.on('backbones.download', (d) => {
    if (d.id !== id) return;
    if (d.state !== 'downloading') return settle(d);
    const total = d.total ?? Math.max(d.bytes, 1);
    if (!started) bar.start(total, d.bytes, { file: d.file, mb: '', rate: '', eta_s: '' });
    started = true;
    bar.setTotal(total);
    bar.update(d.bytes, {
      file: d.file,
      mb: `${mb(d.bytes)}${d.total ? ` of ${mb(d.total)}` : ''}`,
      rate: `${(d.bytesPerSecond / 1e6).toFixed(1)} MB/s`,
      eta_s: d.etaSeconds === null ? '?' : `${Math.round(d.etaSeconds)} s`,
    });
  });
  const onInterrupt = () => void s.api.backbones.cancelDownload({ id }).catch(() => undefined);
  process.once('SIGINT', onInterrupt);
  try {
    const first = await s.api.backbones.download({ id });
    return first.state === 'downloading' ? await settled : first;
  } finally {
    process.off('SIGINT', onInterrupt);
    off();
    bar.stop();
  }
}

function list(opts: { json?: boolean }): Promise<void> {
  return withBareStudio(async ({ api }) => {
    const all = await api.backbones.list();
    console.log(opts.json ? JSON.stringify(all, null, 2) : backboneTable(all));
  });
}

function download(id: string): Promise<void> {
  return withBareStudio(async (s) => {
    const end = await downloadWithBar(s, id);
    if (end.state !== 'done')
      throw new StudioError(
        end.state === 'cancelled' ? 'cancelled' : 'invalid-input',
        end.message ?? `download of ${id} ${end.state}`,
      );
    const info = (await s.api.backbones.list()).find((b) => b.id === id);
    console.log(`${id}: ${end.file} is in the model cache${info?.weights.path ? ` (${info.weights.path})` : ''}`);
  });
}

function importFile(file: string, opts: { arch: string; alpha?: string }): Promise<void> {
  const id = opts.alpha === undefined ? opts.arch : kerasEntryId(opts.arch, Number(opts.alpha));
  return withBareStudio(
    async ({ api }) => {
      const out = await api.backbones.import({ file, id });
      console.log(
        `${id}: ${file} checked (${out.layers} layers, ${out.params.toLocaleString('en')} parameters, Keras ${out.kerasVersion ?? 'version unknown'}) and added to the model cache as ${out.info.weights.path ?? out.info.weights.file}`,
      );
      if (out.replaced) {
        console.log(
          `It replaced a different cached copy (sha256 ${out.replaced.sha256.slice(0, 16)}..., added ${out.replaced.addedAt}), kept as ${out.replaced.keptAs}.`,
        );
      }
    },
    [file],
  );
}

export const backbonesCommand: CliCommand = {
  register(program: Command) {
    const cmd = program
      .command('backbones')
      .description('the backbones the studio builds, and whether their ImageNet weights are present')
      .option('--json', 'print the registry as JSON')
      .action(list);
    cmd
      .command('download')
      .description("fetch a backbone's ImageNet weights from Keras' URL into the model cache")
      .argument('<id>', 'backbone id (see `studio backbones`)')
      .action(download);
    cmd
      .command('import')
      .description('check a Keras .h5 weight file against an architecture and add it to the model cache')
      .argument('<file>', 'the .h5 file')
      .requiredOption('--arch <id>', 'backbone id, e.g. mobilenet_v2, resnet50, or mobilenet with --alpha')
      .option('--alpha <a>', 'width multiplier, for mobilenet and mobilenet_v2')
      .action(importFile);
  },
};
