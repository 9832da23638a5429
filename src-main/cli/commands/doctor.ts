// `studio doctor`, the system check (not the training doctor, which reads runs): what trains and what runs the frozen backbone on this machine, each
// rung of both ladders with its state and reason, the GPUs and CUDA libraries seen
// against what each GPU stack needs, the CPU, memory, the model cache and the versions.
import type { Command } from 'commander';
import type { SystemCheckReport, Rung } from '../../../src-shared/system';
import { table, type CliCommand } from '../command';
import { withBareStudio } from '../studio-client';
import { plural } from '../../../src-shared/plural';

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** `> id  state: reason`; the chosen rung is marked. */
function rungLines(rungs: Rung[]): string {
  const width = Math.max(...rungs.map((r) => r.id.length));
  return rungs
    .map((r) => {
      const why = r.reason ? `: ${r.reason}` : ` (${r.label}${r.detail ? `; ${r.detail}` : ''})`;
      return `  ${r.chosen ? '>' : ' '} ${r.id.padEnd(width)}  ${r.state}${why}`;
    })
    .join('\n');
}

function cudaLines(report: SystemCheckReport): string[] {
  const { cuda } = report;
  const lines = [
    `  toolkits         ${cuda.toolkits.length ? cuda.toolkits.map((t) => `${t.path} (${t.version ?? 'version unknown'})`).join(', ') : 'none in /usr/local'}`,
    `  LD_LIBRARY_PATH  ${cuda.ldLibraryPath.join(':') || '(empty)'}`,
  ];
  for (const s of cuda.stacks) {
    lines.push(`  ${s.label}: CUDA ${s.cuda}, cuDNN ${s.cudnn}, driver >= ${s.minDriver}`);
    lines.push(
      table(
        s.libraries.map((l) => [l.soname, l.path ?? 'missing']),
        '      ',
      ),
    );
    for (const p of s.problems) lines.push(`    ! ${p}`);
  }
  return lines;
}

export function formatSystemCheck(report: SystemCheckReport): string {
  const { devices, cpu, memory, modelCache } = report;
  const gpus = devices.gpus.map(
    (g) =>
      `  GPU ${g.index}: ${g.name}, driver ${g.driver}${g.memoryMiB === null ? '' : `, ${(g.memoryMiB / 1024).toFixed(1)} GiB`}`,
  );
  const cached = modelCache.files.map((f) => [
    f.file,
    `${(f.bytes / 1e6).toFixed(1)} MB`,
    f.source,
    f.sha256.slice(0, 12),
  ]);
  return [
    'Training (tfjs, gradients); > marks the one a run uses',
    rungLines(report.training),
    '',
    'Frozen inference (feature and split caches, evaluation, predict)',
    rungLines(report.inference),
    '',
    'Devices',
    ...(gpus.length ? gpus : [`  ${devices.note}`]),
    `  CPU: ${cpu.model}, ${cpu.cores} cores, ${cpu.simd}${cpu.fmaLanes ? ` (${cpu.fmaLanes} float32 lanes per FMA)` : ''}`,
    `  memory: ${gb(memory.totalBytes)}, ${gb(memory.freeBytes)} free`,
    '',
    'CUDA',
    ...cudaLines(report),
    '',
    `Model cache  ${modelCache.dir}: ${plural(modelCache.files.length, 'weight file')}`,
    ...(cached.length ? [table(cached)] : []),
    '',
    'Versions',
    table(Object.entries(report.versions).map(([k, v]) => [k, v ?? '-'])),
  ].join('\n');
}

export const doctorCommand: CliCommand = {
  register(program: Command) {
    program
      .command('doctor')
      .description(
        'the system check: what trains and what runs inference here (GPU, CPU, wasm), what did not load and why, and the devices seen',
      )
      .option('--json', 'print the report as JSON')
      .action((opts: { json?: boolean }) =>
        withBareStudio(async ({ api }) => {
          const report = await api.system.doctor();
          console.log(opts.json ? JSON.stringify(report, null, 2) : formatSystemCheck(report));
        }),
      );
  },
};
