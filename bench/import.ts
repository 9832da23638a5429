// Import throughput against bare sharp, on the same files in the same run (machines here
// are noisy, so only the ratio means much). Run: npm run bench:import [-- --count N]
// Images are generated once and cached under bench/.data/ (gitignored).
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_CONCURRENCY } from '../src-main/services/import/import-run';
import { ImportService } from '../src-main/services/import/import-service';
import { openProject } from '../src-main/services/project/project';

const W = 1024;
const H = 768;
const CLASSES = 10;
const DATA = join(import.meta.dirname, '.data', `jpeg-${W}x${H}`);

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
  },
});
const count = Number(args.count);
const rounds = Number(args.rounds);
const concurrency = Number(args.concurrency);

/** Photo-like JPEGs (smooth shapes plus grain, ~250 KB): bases made once, each file stamped to be unique. */
async function ensurePool(n: number): Promise<string[]> {
  const pool = join(DATA, 'pool');
  mkdirSync(pool, { recursive: true });
  const files = Array.from({ length: n }, (_, i) => join(pool, `${String(i).padStart(6, '0')}.jpg`));
  const missing = files.map((f, i) => [f, i] as const).filter(([f]) => !existsSync(f));
  if (missing.length === 0) return files;
  console.error(`generating ${missing.length} ${W}x${H} JPEGs into ${pool} (once) ...`);
  const grain = await sharp({
    create: { width: W, height: H, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 14 } },
  })
    .raw()
    .toBuffer();
  const bases = await Promise.all(Array.from({ length: 16 }, () => makeBase(grain)));
  for (let k = 0; k < missing.length; k += concurrency) {
    await Promise.all(
      missing.slice(k, k + concurrency).map(([file, i]) => writeStamped(file, bases[i % bases.length], i)),
    );
  }
  return files;
}

async function makeBase(grain: Buffer): Promise<Buffer> {
  const raw = await sharp({
    create: {
      width: 64,
      height: 48,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .resize(W, H, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  for (let k = 0; k < raw.length; k++) raw[k] = Math.max(0, Math.min(255, raw[k] + grain[k] - 128));
  return raw;
}

async function writeStamped(file: string, base: Buffer, i: number): Promise<void> {
  const raw = Buffer.from(base);
  // A 32-pixel band in the first rows that differs per index makes every file's hash unique.
  for (let x = 0; x < W * 3 * 32; x++) raw[x] = (raw[x] + ((i * 2654435761 + x * 97) >>> 24)) & 255;
  writeFileSync(
    file,
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer(),
  );
}

/** The folder imported: class folders of hard links into the pool, so --count N imports exactly N. */
function ensureSet(pool: string[]): string {
  const set = join(DATA, `set-${pool.length}`);
  pool.forEach((src, i) => {
    const dst = join(set, `c${i % CLASSES}`, `${String(i).padStart(6, '0')}.jpg`);
    if (existsSync(dst)) return;
    mkdirSync(join(set, `c${i % CLASSES}`), { recursive: true });
    linkSync(src, dst);
  });
  return set;
}

async function bareSharp(files: string[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < files.length) await sharp(files[next++]).resize(256, 256, { fit: 'inside' }).raw().toBuffer();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return files.length / ((performance.now() - started) / 1000);
}

/** Imports into a fresh project (images/s), then again into the same one, where nothing is new (files/s). */
async function ourImport(folder: string, expected: number): Promise<{ first: number; again: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const project = openProject(dir, { create: true });
  try {
    let last = { imported: 0, skipped: 0 };
    const service = new ImportService(project, (p) => (last = p), Date.now, { concurrency });
    const timed = async () => {
      const started = performance.now();
      service.start({ folder });
      await service.idle();
      return (performance.now() - started) / 1000;
    };
    const first = await timed();
    if (last.imported !== expected) throw new Error(`imported ${last.imported} of ${expected} images`);
    const again = await timed();
    if (last.skipped !== expected) throw new Error(`re-import skipped ${last.skipped} of ${expected} files`);
    return { first: expected / first, again: expected / again };
  } finally {
    project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pool = await ensurePool(count);
const set = ensureSet(pool);
const files = readdirSync(set).flatMap((c) => readdirSync(join(set, c)).map((f) => join(set, c, f)));
for (const f of files) readFileSync(f); // into the page cache, for both contenders alike
console.log(
  `bench/import: ${files.length} JPEGs ${W}x${H}, concurrency ${concurrency}, sharp ${sharp.versions.sharp}, ${availableParallelism()} cores`,
);
const ratios: number[] = [];
const rates = { bare: [] as number[], ours: [] as number[], again: [] as number[] };
for (let r = 1; r <= rounds; r++) {
  // Back to back, so both meet the same load on a shared machine; the ratio is per round.
  const bare = await bareSharp(files);
  const ours = await ourImport(set, files.length);
  rates.bare.push(bare);
  rates.ours.push(ours.first);
  rates.again.push(ours.again);
  ratios.push(ours.first / bare);
  console.log(
    `round ${r}: bare sharp decode+resize ${bare.toFixed(1)} images/s, studio import ${ours.first.toFixed(1)} images/s, ` +
      `ratio ${(ours.first / bare).toFixed(2)}; re-import (nothing new) ${ours.again.toFixed(0)} files/s`,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(
  `median: bare sharp ${median(rates.bare).toFixed(1)} images/s, import ${median(rates.ours).toFixed(1)} images/s, ` +
    `ratio ${median(ratios).toFixed(2)} (target >= 0.70); re-import ${median(rates.again).toFixed(0)} files/s`,
);
