// bench/cache-scale: the phase-1 feature cache built over many small real image files
// through the studio's own path (RunService -> training process -> ONNX Runtime), the way
// seed 002's 200,000 images would be. It prints the rate (against bare sharp decoding of
// the same files, measured first in this process), the training process's rss at 10, 50
// and 100 % of the build, how far the ETA the progress events carried at 10 and 50 % was
// from the real time left, then builds again from an empty cache, kill -9s the training
// process at ~50 %, resumes the run and counts the values computed twice.
//   npx tsx bench/cache-scale.ts [--n 20000] [--size 96] [--px 32] [--kill 0.5]
// --kill 0 skips the kill and resume.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeRgb } from '../src-node-shared/data/images';
import { writeClassImages } from './images';
import { openProject } from '../src-main/services/project/project';
import type { Project } from '../src-main/services/project/project';
import { RunService } from '../src-main/services/runs/run-service';
import { writeTx } from '../src-main/store/db';
import { ensureClass } from '../src-main/store/repos/classes';
import { insertImage, upsertPath } from '../src-main/store/repos/images';
import { createImport, finishImport } from '../src-main/store/repos/imports';
import { getRunRow } from '../src-main/store/repos/runs';
import { RunConfig } from '../src-shared/engine-config';
import type { RunsProgress } from '../src-shared/runs';
import type { Split } from '../src-shared/schemas';

const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    size: { type: 'string', default: '96' },
    px: { type: 'string', default: '32' },
    kill: { type: 'string', default: '0.5' },
  },
});
const N = Number(opt.n);
const PX = Number(opt.px);
const CLASSES = ['a', 'b', 'c', 'd'];
const FEATURES = 1280;
const config = RunConfig.parse({
  backboneId: 'nsfwjs_mobilenet_v2',
  inputSize: Number(opt.size),
  seed: 1,
  phase1: { epochs: 1, batchSize: 256, optimizer: { kind: 'adam', lr: 1e-3 } },
});

/** 85 % train, 10 % val, 5 % test: the build goes through three splits, as a project's does. */
const splitOf = (i: number): Split => (i % 20 < 17 ? 'train' : i % 20 < 19 ? 'val' : 'test');

/** Rows as an import records them (class, split, path, content hash), in one transaction. */
function recordImages(project: Project, paths: string[], imagesDir: string): void {
  const db = project.db;
  const now = Date.now();
  const importId = createImport(db, imagesDir, process.pid, now);
  writeTx(db, () => {
    const ids = CLASSES.map((c) => ensureClass(db, c, now));
    paths.forEach((path, i) => {
      const bytes = readFileSync(path);
      const st = statSync(path);
      const imageId = insertImage(db, {
        hash: createHash('sha256').update(bytes).digest('hex'),
        classId: ids[i % CLASSES.length]!,
        split: splitOf(i),
        width: PX,
        height: PX,
        format: 'png',
        bytes: st.size,
        addedAt: now,
        importId,
      });
      upsertPath(db, path, imageId, { size: st.size, mtimeMs: Math.trunc(st.mtimeMs) }, importId);
    });
  });
  finishImport(db, importId, 'done', Date.now(), null);
}

async function bareDecodeRate(paths: string[]): Promise<number> {
  const t0 = performance.now();
  for (let at = 0; at < paths.length; at += 16)
    await Promise.all(paths.slice(at, at + 16).map((p) => decodeRgb(p, config.inputSize!)));
  return paths.length / ((performance.now() - t0) / 1000);
}

type Features = Extract<RunsProgress, { kind: 'features' }>;
interface Seen {
  t: number;
  /** Values done over every split, as a fraction of the build. */
  frac: number;
  p: Features;
}
interface Mem {
  t: number;
  engineRss: number;
  mainRss: number;
  mainHeap: number;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  // A process that has exited but not been reaped has no VmRSS line.
  return m ? Number(m[1]) * 1024 : NaN;
}

/** One run (or its resume) watched: every features event, and memory every second. */
function watch(project: Project, runId: () => number, total: number) {
  const seen: Seen[] = [];
  const mem: Mem[] = [];
  const done = new Map<Split, number>();
  const onProgress = (p: RunsProgress, t: number) => {
    if (p.kind !== 'features') return;
    done.set(p.split, p.done);
    seen.push({ t, frac: [...done.values()].reduce((a, b) => a + b, 0) / total, p });
  };
  const timer = setInterval(() => {
    const pid = getRunRow(project.db, runId())?.pid;
    if (!pid || pid === process.pid) return;
    try {
      const m = process.memoryUsage();
      const engineRss = rssOf(pid);
      if (!Number.isNaN(engineRss)) mem.push({ t: performance.now(), engineRss, mainRss: m.rss, mainHeap: m.heapUsed });
    } catch {
      // The training process ended between reading its pid and its status.
    }
  }, 1000);
  return { seen, mem, onProgress, stop: () => clearInterval(timer) };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const at = <T extends { t: number }>(list: T[], t: number) => list.find((x) => x.t >= t) ?? list.at(-1)!;

/**
 * The lowest rss (just after a collection) in each tenth of the build: what the process
 * holds, without the garbage it has not collected yet. Its rise per image from the second
 * tenth (the runtime's start-up garbage gone) to the last says whether the build keeps
 * something per image.
 */
function floors(mem: Mem[], seen: Seen[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < 10; k++) {
    const from = seen.find((s) => s.frac >= k / 10)!.t;
    const to = seen.find((s) => s.frac >= (k + 1) / 10)!.t;
    out.push(Math.min(...mem.filter((m) => m.t >= from && m.t <= to).map((m) => m.engineRss)));
  }
  return out;
}

function report(seen: Seen[], mem: Mem[]): { rate: number; engineRss: number[] } {
  const end = seen.find((s) => s.frac >= 1)!;
  // From the first computed batch: opening ONNX Runtime (export, session, probe) is paid once.
  const first = seen.find((s) => s.p.done > s.p.fromCache)!;
  const secs = (end.t - first.t) / 1000;
  const rate = ((1 - first.frac) * N) / secs;
  console.log(
    `  cache build: ${N} images, ${secs.toFixed(1)} s from the first computed batch: ${rate.toFixed(1)} images/s`,
  );
  const rss: number[] = [];
  for (const f of [0.1, 0.5, 1]) {
    const s = seen.find((x) => x.frac >= f)!;
    const m = at(mem, s.t);
    rss.push(m.engineRss);
    const eta =
      f < 1 && s.p.etaS !== undefined
        ? `; ETA said ${s.p.etaS.toFixed(1)} s, it took ${((end.t - s.t) / 1000).toFixed(1)} s: error ${((100 * (s.p.etaS - (end.t - s.t) / 1000)) / ((end.t - s.t) / 1000)).toFixed(1)} %`
        : '';
    console.log(
      `  at ${(100 * f).toFixed(0).padStart(3)} %: training process rss ${mb(m.engineRss)}, studio rss ${mb(m.mainRss)} heap ${mb(m.mainHeap)}${eta}`,
    );
  }
  const building = mem.filter((m) => m.t >= first.t && m.t <= end.t).map((m) => m.engineRss);
  const training = mem.filter((m) => m.t > end.t).map((m) => m.engineRss);
  console.log(
    `  rss at 100 % / rss at 10 %: ${(rss[2]! / rss[0]!).toFixed(3)} (flat: within 1.1); while building ${mb(Math.min(...building))}-${mb(Math.max(...building))}`,
  );
  const f = floors(mem, seen);
  console.log(`  lowest rss in each tenth of the build: ${f.map((x) => (x / 2 ** 20).toFixed(0)).join(', ')} MB`);
  console.log(
    `  its rise from the second tenth to the last: ${((f[9]! - f[1]!) / (0.8 * N) / 1024).toFixed(2)} KB per image (holding each image's features would be ${(FEATURES * 4) / 1024} KB)`,
  );
  console.log(
    `  training process rss once the features are read back and the head trains: up to ${training.length ? mb(Math.max(...training)) : '-'}`,
  );
  return { rate, engineRss: rss };
}

/** Every cached value's file and its modification time. */
function cacheFiles(root: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.f32')) out.set(p, statSync(p, { bigint: true }).mtimeNs);
    }
  };
  walk(root);
  return out;
}

function diskBytes(root: string): number {
  let n = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      n += Number(statSync(p).blocks) * 512;
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return n;
}

/** The project, its run service and the run being watched. */
interface Bench {
  project: Project;
  service: RunService;
  cacheDir: string;
  runId: number;
  w: ReturnType<typeof watch>;
  onKill: ((p: RunsProgress) => void) | null;
}

async function setUp(root: string): Promise<{ b: Bench; decode: number }> {
  const imagesDir = join(root, 'images');
  mkdirSync(imagesDir);
  const t0 = performance.now();
  const paths = await writeClassImages(imagesDir, N, PX, CLASSES.length);
  const project = openProject(join(root, 'project'), { create: true });
  recordImages(project, paths, imagesDir);
  console.log(
    `${N} PNGs of ${PX} px written and recorded in ${((performance.now() - t0) / 1000).toFixed(1)} s; nsfwjs MobileNetV2 at ${config.inputSize} px, ${availableParallelism()} cores`,
  );
  const decode = await bareDecodeRate(paths.slice(0, Math.min(N, 2000)));
  console.log(`bare sharp decode+resize (${Math.min(N, 2000)} files, 16 at a time): ${decode.toFixed(1)} images/s`);
  // The callbacks read `b` once the run starts, after it is made.
  const service = new RunService(
    project,
    {
      progress: (p) => (b.w.onProgress(p, performance.now()), b.onKill?.(p)),
      epoch: () => {},
      status: () => {},
    },
    { backend: 'wasm' },
  );
  const b: Bench = {
    project,
    service,
    cacheDir: join(project.dir, 'cache', 'features'),
    runId: 0,
    w: watch(project, () => b.runId, N),
    onKill: null,
  };
  return { b, decode };
}

async function killAndResume(b: Bench): Promise<void> {
  const kill = Number(opt.kill);
  console.log(`\n2. From an empty cache, kill -9 of the training process at ${(100 * kill).toFixed(0)} %, then resume`);
  rmSync(b.cacheDir, { recursive: true, force: true });
  b.w = watch(b.project, () => b.runId, N);
  let killedAt = -1;
  b.onKill = (p) => {
    const s = b.w.seen.at(-1);
    if (killedAt >= 0 || p.kind !== 'features' || !s || s.frac < kill) return;
    killedAt = s.frac;
    process.kill(getRunRow(b.project.db, b.runId)!.pid!, 'SIGKILL');
  };
  b.runId = b.service.start({ config, name: 'killed' }).runIds[0]!;
  await b.service.idle();
  b.w.stop();
  b.onKill = null;
  const before = cacheFiles(b.cacheDir);
  console.log(
    `  killed at ${(100 * killedAt).toFixed(1)} % (by the last event); run: ${b.service.get({ runId: b.runId }).status}; ${before.size} values cached`,
  );
  b.w = watch(b.project, () => b.runId, N);
  const t0 = performance.now();
  b.service.resume({ runId: b.runId });
  await b.service.idle();
  b.w.stop();
  const after = cacheFiles(b.cacheDir);
  const rewritten = [...before].filter(([p, mtime]) => after.get(p) !== mtime).length;
  const firstTrain = b.w.seen.find((s) => s.p.split === 'train')!.p;
  const newly = [...after.keys()].filter((p) => !before.has(p)).length;
  console.log(
    `  resumed: ${b.service.get({ runId: b.runId }).status} in ${((performance.now() - t0) / 1000).toFixed(1)} s; train split found ${firstTrain.fromCache} of ${firstTrain.total} cached`,
  );
  console.log(
    `  values computed again: ${rewritten} of ${before.size} cached before the kill; computed after it: ${newly} (${before.size + newly} of ${N})`,
  );
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'fs-bench-scale-'));
  try {
    const { b, decode } = await setUp(root);
    console.log('\n1. A whole build');
    b.runId = b.service.start({ config, name: 'whole' }).runIds[0]!;
    await b.service.idle();
    b.w.stop();
    const whole = report(b.w.seen, b.w.mem);
    const disk = diskBytes(b.cacheDir);
    console.log(
      `  run: ${b.service.get({ runId: b.runId }).status}; cache on disk: ${mb(disk)} (${(disk / N).toFixed(0)} bytes per image, ${FEATURES * 4} of values)`,
    );
    console.log(`  cache build / bare decode: ${(whole.rate / decode).toFixed(2)}`);
    if (Number(opt.kill) > 0) await killAndResume(b);
    const hours = 200_000 / whole.rate / 3600;
    console.log(
      `\n3. 200,000 images at this rate: ${hours.toFixed(2)} h; cache ${(((disk / N) * 200_000) / 2 ** 30).toFixed(2)} GiB on disk;`,
    );
    console.log(
      `   training process while building: flat at ~${mb(whole.engineRss[2]!)}; training then holds the features once: 200,000 x ${FEATURES} x 4 bytes = ${mb(200_000 * FEATURES * 4)}`,
    );
    b.project.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
