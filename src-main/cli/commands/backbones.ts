// `studio backbones`: the registry with where each backbone's weights are; `download ID`
// fetches Keras' ImageNet file with a progress bar; `import FILE --arch ID` checks a .h5
// the user has against the architecture and adds it to the per-user model cache.
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { BackboneDownload, BackboneInfo } from '../../../src-shared/backbones';
import { StudioError } from '../../../src-shared/errors';
import { BackboneService } from '../../services/backbones/backbone-service';
import { kerasEntryId } from '../../engine/backbones/registry';
import type { CliCommand } from '../command';
import { table } from '../command';

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
    rows.push([`${b.recommended ? '*' : ' '}${b.id}`, b.name, params, sizes, b.preprocessing.kind, blocks, weightsText(b)]);
  }
  return `${table(rows)}\n  * the default: the best backbone whose ImageNet weights are present`;
}

/** A progress bar on stderr over the download's events; resolves with how it ended. */
export async function downloadWithBar(service: BackboneService, id: string, events: (listen: (d: BackboneDownload) => void) => void): Promise<BackboneDownload> {
  const bar = new SingleBar({ stream: process.stderr, format: '{file} [{bar}] {mb} {rate} ETA {eta_s}', hideCursor: true }, Presets.shades_classic);
  let started = false;
  events((d) => {
    if (d.state !== 'downloading') return;
    const total = d.total ?? Math.max(d.bytes, 1);
    if (!started) bar.start(total, d.bytes, { file: d.file, mb: '', rate: '', eta_s: '' });
    started = true;
    bar.setTotal(total);
    bar.update(d.bytes, { file: d.file, mb: `${mb(d.bytes)}${d.total ? ` of ${mb(d.total)}` : ''}`, rate: `${(d.bytesPerSecond / 1e6).toFixed(1)} MB/s`, eta_s: d.etaSeconds === null ? '?' : `${Math.round(d.etaSeconds)} s` });
  });
  const first = await service.download(id);
  const onInterrupt = () => service.cancelDownload(id);
  process.once('SIGINT', onInterrupt);
  const end = first.state === 'downloading' ? ((await service.settled(id)) ?? first) : first;
  process.off('SIGINT', onInterrupt);
  bar.stop();
  return end;
}

async function list(opts: { json?: boolean }): Promise<void> {
  const all = await new BackboneService().list();
  console.log(opts.json ? JSON.stringify(all, null, 2) : backboneTable(all));
}

async function download(id: string): Promise<void> {
  let listener: (d: BackboneDownload) => void = () => undefined;
  const service = new BackboneService({ emit: (d) => listener(d) });
  const end = await downloadWithBar(service, id, (l) => (listener = l));
  if (end.state !== 'done') throw new StudioError(end.state === 'cancelled' ? 'cancelled' : 'invalid-input', end.message ?? `download of ${id} ${end.state}`);
  console.log(`${id}: ${end.file} is in ${service.cacheDir}`);
}

async function importFile(file: string, opts: { arch: string; alpha?: string }): Promise<void> {
  const id = opts.alpha === undefined ? opts.arch : kerasEntryId(opts.arch, Number(opts.alpha));
  const service = new BackboneService();
  const out = await service.import(file, id);
  console.log(`${id}: ${file} checked (${out.layers} layers, ${out.params.toLocaleString('en')} parameters, Keras ${out.kerasVersion ?? 'version unknown'}) and added to ${service.cacheDir} as ${out.info.weights.file}`);
}

export const backbonesCommand: CliCommand = {
  register(program: Command) {
    const cmd = program
      .command('backbones')
      .description('the backbones the studio builds, and whether their ImageNet weights are present')
      .option('--json', 'print the registry as JSON')
      .action(list);
    cmd.command('download').description("fetch a backbone's ImageNet weights from Keras' URL into the model cache").argument('<id>', 'backbone id (see `studio backbones`)').action(download);
    cmd
      .command('import')
      .description('check a Keras .h5 weight file against an architecture and add it to the model cache')
      .argument('<file>', 'the .h5 file')
      .requiredOption('--arch <id>', 'backbone id, e.g. mobilenet_v2, resnet50, or mobilenet with --alpha')
      .option('--alpha <a>', 'width multiplier, for mobilenet and mobilenet_v2')
      .action(importFile);
  },
};
