// bench/cpu-step: the studio's phase-2 training step on the CPU against PyTorch's, paired
// round by round. MobileNetV2 1.0 at 224 px with Keras' ImageNet weights, split before its
// last N blocks; the same cached activations (the first images of Fashion-MNIST, upscaled)
// and labels on both sides; forward, backward and an Adam step. Each side runs in a process
// of its own, kept warm, and the rounds take turns: in each round every side runs `steps`
// steps, so a load that comes and goes on the machine falls on all of them alike.
//   studio:  the engine's trainStep on tfjs-wasm with 1 thread (the plain build), with
//            each count in --threads (the threaded build, src-node-shared/wasm/threaded.ts),
//            and data-parallel over each count in --shards (src-training/parallel/shards.ts);
//   PyTorch: Debian's python3-torch (installed here with apt-get when missing), 1 and 2 threads.
// Before timing, both sides train `--check` steps from the same weights and their losses
// must agree. Besides wall and CPU time, each side reports its busiest thread's CPU time per
// step: what the step takes at best on an idle machine, which a loaded one cannot show. Usage:
//   npx tsx bench/cpu-step.ts [--blocks 3] [--batch 16] [--rounds 5] [--steps 3] [--threads 2] [--shards 2] [--skip-before]
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src-node-shared/backend';
import { exportPhase2 } from './cpu-step/export';
import { kerasMobileNetV2, phase2Of, splitActivations, writeBatch } from './cpu-step/model';
import { ensureTorch, TorchSide } from './cpu-step/torch';

const { values: opt } = parseArgs({
  options: {
    blocks: { type: 'string', default: '3' },
    batch: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    shards: { type: 'string', default: '2' },
    check: { type: 'string', default: '3' },
    'skip-before': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opt.rounds);
const STEPS = Number(opt.steps);
/** Largest relative difference between the two sides' losses that counts as the same step. */
const LOSS_TOLERANCE = 1e-3;

type Timing = { ms: number[]; cpu: number[]; busiest: number };
type Reply = Partial<Timing> & { losses?: number[]; error?: string; ready?: boolean; threads?: string };

class TfjsSide {
  private readonly proc: ChildProcess;
  private pending: ((r: Reply) => void) | null = null;
  readonly ready: Promise<Reply>;

  constructor(dir: string, blocks: number, threads: number, variant = '') {
    const args = [dir, String(blocks), String(threads), variant];
    this.proc = fork(join(import.meta.dirname, 'cpu-step/tfjs-worker.ts'), args);
    this.proc.on('message', (r: Reply) => this.pending?.(r));
    this.ready = this.next();
  }

  private next(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pending = (r) => (r.error ? reject(new Error(`studio side: ${r.error}`)) : resolve(r));
      this.proc.once('exit', (code) => reject(new Error(`studio side exited (code ${code})`)));
    });
  }

  request(req: object): Promise<Reply> {
    const r = this.next();
    this.proc.send(req);
    return r;
  }

  close(): void {
    this.proc.kill();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (x: number, d = 0) => x.toFixed(d);

interface Side {
  label: string;
  time: () => Promise<Timing>;
}

async function prepare(blocks: number, dir: string): Promise<string[]> {
  const backbone = await kerasMobileNetV2();
  const p = phase2Of(backbone, blocks);
  const batch = splitActivations(backbone, p.split, Number(opt.batch));
  mkdirSync(dir, { recursive: true });
  writeBatch(dir, batch);
  exportPhase2(p, dir);
  console.log(
    `\nMobileNetV2 1.0, 224 px, ImageNet weights; phase 2 trains ${p.split.blocks.join(', ')} + head (split at ${p.split.splitLayer}, ${batch.shape.slice(1).join('x')}); batch ${batch.shape[0]}; Adam; BatchNorm frozen`,
  );
  return p.split.blocks;
}

async function checkParity(studio: TfjsSide, label: string, torch: TorchSide): Promise<void> {
  const steps = Number(opt.check);
  const a = (await studio.request({ op: 'losses', steps })).losses!;
  const b = (await torch.request<{ losses: number[] }>({ op: 'losses', steps })).losses;
  const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.abs(b[i]!)));
  console.log(
    `same step: losses over ${steps} steps, ${label} ${a.map((x) => f(x, 5)).join(' ')}, PyTorch ${b.map((x) => f(x, 5)).join(' ')}; largest relative difference ${worst.toExponential(1)}`,
  );
  if (!(worst <= LOSS_TOLERANCE))
    throw new Error(`the two sides do not compute the same step (tolerance ${LOSS_TOLERANCE})`);
}

/** Per side, per round: the median step's wall time and CPU time, and the busiest thread's CPU time (ms). */
type Record = Map<string, { wall: number[]; cpu: number[]; busy: number[] }>;

async function rounds(sides: Side[]): Promise<Record> {
  const rec: Record = new Map(sides.map((s) => [s.label, { wall: [], cpu: [], busy: [] }]));
  for (let r = 0; r < ROUNDS; r++) {
    // Each round starts with another side, so none always runs first after a pause.
    for (let i = 0; i < sides.length; i++) {
      const s = sides[(i + r) % sides.length]!;
      const t = await s.time();
      rec.get(s.label)!.wall.push(median(t.ms));
      rec.get(s.label)!.cpu.push(median(t.cpu));
      rec.get(s.label)!.busy.push(t.busiest);
    }
    const w = (label: string) => rec.get(label)!.wall[r]!;
    console.log(
      `round ${r + 1} (load ${f(loadavg()[0]!, 1)}): ${sides.map((s) => `${s.label} ${f(w(s.label))} ms`).join(', ')}`,
    );
  }
  return rec;
}

function summary(rec: Record, torch1: string, torch2: string): void {
  const { wall: p1, cpu: c1, busy: b1 } = rec.get(torch1)!;
  const { wall: p2, cpu: c2, busy: b2 } = rec.get(torch2)!;
  console.log(
    `median over rounds; ratios are paired per round (studio step time / PyTorch's): PyTorch 1t ${f(median(p1))} ms (CPU ${f(median(c1))} ms, busiest thread ${f(median(b1))} ms), ` +
      `2t ${f(median(p2))} ms (CPU ${f(median(c2))} ms, busiest thread ${f(median(b2))} ms)`,
  );
  for (const [label, { wall, cpu, busy }] of rec) {
    if (label === torch1 || label === torch2) continue;
    const r1 = median(wall.map((v, i) => v / p1[i]!));
    const r2 = median(wall.map((v, i) => v / p2[i]!));
    // The busiest thread's CPU time is what a step takes on an idle machine at best, on both sides.
    const idle = median(busy.map((v, i) => v / b2[i]!));
    console.log(
      `  ${label}: ${f(median(wall))} ms/step (CPU ${f(median(cpu))} ms, ${f(median(cpu) / median(c1), 2)}x PyTorch 1t's; busiest thread ${f(median(busy))} ms); ` +
        `wall ${f(r1, 2)}x PyTorch 1t, ${f(r2, 2)}x PyTorch 2t: speed ${f(1 / r2, 2)} of PyTorch 2t (goal >= 0.5); ` +
        `busiest thread ${f(idle, 2)}x PyTorch 2t's: speed ${f(1 / idle, 2)}`,
    );
  }
}

async function main(): Promise<void> {
  console.log(`PyTorch ${ensureTorch()} (${'/usr/bin/python3'})`);
  await selectBackend({ prefer: 'wasm', wasmThreads: 1 });
  const threads = [
    1,
    ...opt
      .threads!.split(',')
      .map(Number)
      .filter((t) => t > 1),
  ];
  const shards = opt
    .shards!.split(',')
    .map(Number)
    .filter((t) => t > 1);
  for (const blocks of opt.blocks!.split(',').map(Number)) {
    const dir = join(import.meta.dirname, '.data/cpu-step', `blocks-${blocks}`);
    await prepare(blocks, dir);
    const torch = new TorchSide(dir);
    const studios = [
      ...(!opt['skip-before']
        ? [{ t: 1, label: 'studio before 1t', side: new TfjsSide(dir, blocks, 1, 'before') }]
        : []),
      ...threads.map((t) => ({ t, label: `studio wasm ${t}t`, side: new TfjsSide(dir, blocks, t) })),
      ...shards.map((t) => ({ t, label: `studio ${t} shards`, side: new TfjsSide(dir, blocks, 1, `shards${t}`) })),
    ];
    await torch.request(null);
    for (const s of studios) {
      const r = await s.side.ready;
      if (r.threads !== String(s.t)) throw new Error(`studio side asked for ${s.t} threads, got ${r.threads}`);
    }
    try {
      for (const s of studios) await checkParity(s.side, s.label, torch);
      const t1 = 'PyTorch 1t';
      const t2 = 'PyTorch 2t';
      const sides: Side[] = [
        { label: t1, time: () => torch.request<Timing>({ op: 'time', steps: STEPS, threads: 1 }) },
        { label: t2, time: () => torch.request<Timing>({ op: 'time', steps: STEPS, threads: 2 }) },
        ...studios.map((s) => ({
          label: s.label,
          time: async () => (await s.side.request({ op: 'time', steps: STEPS })) as Timing,
        })),
      ];
      summary(await rounds(sides), t1, t2);
    } finally {
      torch.close();
      for (const s of studios) s.side.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
