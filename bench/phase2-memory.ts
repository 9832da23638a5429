// bench/phase2-memory: a two-phase run whose split-point activations are held in memory
// (the baseline) against the same run reading them from the feature cache per batch
// (what a set over the memory budget gets). Each way runs in a child process of its own,
// so each peak rss (VmHWM) is its own; the data, the cache and the config are the same,
// and this process prints both and their ratios. The first child builds the cache; both
// are timed on their epochs only.
//   npx tsx bench/phase2-memory.ts [--n 4000] [--size 128] [--unfreeze 5] [--px 32]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src-node-shared/backend';
import { runTraining } from '../src-training/run';
import { RunConfig } from '../src-shared/engine-config';
import type { RunData, RunImage } from '../src-shared/engine-protocol';
import { writeClassImages } from './images';

const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '4000' },
    size: { type: 'string', default: '128' },
    unfreeze: { type: 'string', default: '5' },
    px: { type: 'string', default: '32' },
    child: { type: 'string' },
    root: { type: 'string' },
  },
});
const N = Number(opt.n);
const CLASSES = ['a', 'b', 'c', 'd'];
const config = RunConfig.parse({
  backboneId: 'nsfwjs_mobilenet_v2',
  inputSize: Number(opt.size),
  seed: 1,
  phase1: { epochs: 1, batchSize: 64, optimizer: { kind: 'adam', lr: 1e-3 } },
  phase2: { epochs: 1, batchSize: 32, optimizer: { kind: 'adam', lr: 1e-4 }, unfreezeBlocks: Number(opt.unfreeze) },
});

interface ChildOut {
  peakRss: number;
  splitBytes: number;
  held: boolean;
  phase2EpochMs: number;
  testAcc: number | null;
  predictions: string;
}

/** 80 % train, 10 % val, 10 % test. */
function runData(paths: string[]): RunData {
  const images: RunImage[] = paths.map((path, i) => ({
    hash: `b${String(i).padStart(6, '0')}`,
    path,
    label: i % CLASSES.length,
  }));
  const split = (k: number) => images.filter((_, i) => i % 10 === k);
  return { classes: CLASSES, train: images.filter((_, i) => i % 10 < 8), val: split(8), test: split(9) };
}

function peakRss(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
}

async function child(mode: string, root: string): Promise<void> {
  const b = await selectBackend({ prefer: 'wasm' });
  const data = runData(JSON.parse(readFileSync(join(root, 'paths.json'), 'utf8')) as string[]);
  let phase2EpochMs = 0;
  let predictions = '';
  const result = await runTraining(config, data, {
    dirs: { featureCache: join(root, 'features'), modelCache: join(root, 'models'), run: join(root, 'runs', mode) },
    backend: { name: b.name, rejected: b.rejected, versions: b.versions },
    emit: (e) => {
      if (e.type === 'epoch' && e.metrics.phase === 2) phase2EpochMs += e.metrics.epochMs;
      if (e.type === 'predictions' && e.split === 'test')
        predictions = JSON.stringify(e.rows.map((r) => r.probs.map((p) => p.toFixed(5))));
    },
    holdBytes: mode === 'held' ? Infinity : 0,
  });
  const store = result.featureStore!.split!;
  const out: ChildOut = {
    peakRss: peakRss(),
    splitBytes: store.bytes,
    held: store.held,
    phase2EpochMs,
    testAcc: result.test?.accuracy ?? null,
    predictions,
  };
  console.log(JSON.stringify(out));
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'fs-bench-p2mem-'));
  try {
    mkdirSync(join(root, 'images'));
    const paths = await writeClassImages(join(root, 'images'), N, Number(opt.px), CLASSES.length);
    writeFileSync(join(root, 'paths.json'), JSON.stringify(paths));
    console.log(
      `${N} PNGs; nsfwjs MobileNetV2 at ${opt.size} px, phase 2 unfreezes ${opt.unfreeze} blocks; 1 epoch per phase`,
    );
    const run = (mode: string): ChildOut => {
      const t0 = performance.now();
      const stdout = execFileSync(
        process.execPath,
        [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--child', mode, '--root', root],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const o = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildOut;
      console.log(
        `  ${mode.padEnd(8)}: split activations ${mb(o.splitBytes)} ${o.held ? 'held' : 'read from the cache per batch'}; peak rss ${mb(o.peakRss)}; phase-2 epoch ${(o.phase2EpochMs / 1000).toFixed(1)} s; whole child ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      return o;
    };
    // The first builds the cache for both.
    const streamed = run('streamed');
    const held = run('held');
    console.log(
      `peak rss streamed / held: ${(streamed.peakRss / held.peakRss).toFixed(2)} (held - streamed: ${mb(held.peakRss - streamed.peakRss)}, split activations ${mb(held.splitBytes)})`,
    );
    console.log(`phase-2 epoch streamed / held: ${(streamed.phase2EpochMs / held.phase2EpochMs).toFixed(2)}`);
    console.log(
      `same test predictions (5 decimals): ${streamed.predictions === held.predictions}; test accuracy ${held.testAcc}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

(opt.child ? child(opt.child, opt.root!) : main()).then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
