// Near-duplicate search on real data: the 60,000 Fashion-MNIST training images plus planted
// copies, against an all-pairs comparison timed in the same run on a subset.
//   npx tsx bench/dupes.ts              # 60,000 + 1,000 planted (about 2-3 minutes on 2 cores)
//   npx tsx bench/dupes.ts --n 6000     # a quick run (100 planted)
// Needs Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
//
// Planted copy k is a copy of a random training image (seeded), made with sharp and saved as
// JPEG quality 70, then decoded again through the studio's own decode path:
//   k % 4 == 0  resized: both sides scaled by a random factor in [0.75, 2.0]
//   k % 4 == 1  brightened 10% (pixel values x 1.1, clipped)
//   k % 4 == 2  cropped 5%: a random 27x27 window (5% of 28 px rounds to one pixel)
//   k % 4 == 3  all three: cropped, brightened, then resized
// The originals are reduced straight from their raw pixels, as the importer does from the
// pixels it decodes for a thumbnail.
//
// Recall: planted copies whose pair with their source is reported.
// Precision: of the reported pairs involving a planted copy, those whose partner is the source
// or another copy of it. Fashion-MNIST has a few near-identical images of its own (one article
// shot in two colours that are one grey), and a copy of one of them rightly matches the other;
// the strict figure counts that as wrong. A second figure also counts as right a partner that
// the same search pairs with the source among the originals: it depends on the search's own
// judgement of the originals, so it is printed, not trusted. Also printed: how many pairs the
// search reports among the 60,000 originals, which no metric here judges (a montage of a sample
// of them is written with --montage FILE.png, to look at).
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { imagePixels, readIdx } from '../scripts/fashion-mnist';
import {
  DEFAULT_NEAR_DUPLICATE_OPTIONS,
  findNearDuplicates,
  imagePrint,
  type ImagePrint,
  type NearDuplicateOptions,
  type NearDuplicateResult,
} from '../src-main/services/curation/algorithms/near-duplicates';
import { packCodes, pairsWithin, type SearchStrategy } from '../src-main/services/curation/algorithms/near-dupes';
import { reduceImage, reducePixels } from '../src-main/services/curation/algorithms/reduce';
import { seededRandom, shuffled, type Random } from '../src-shared/random';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '60000' },
    planted: { type: 'string' },
    subset: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    radius: { type: 'string' },
    ratio: { type: 'string' },
    'max-distance': { type: 'string' },
    montage: { type: 'string' },
  },
});
const n = Number(args.n);
const planted = Number(args.planted ?? Math.max(20, Math.round((1000 * n) / 60000)));
const subset = Math.min(Number(args.subset), n + planted);
const options: NearDuplicateOptions = {
  ...(args.radius ? { radius: Number(args.radius) } : {}),
  ...(args.ratio ? { ratio: Number(args.ratio) } : {}),
  ...(args['max-distance'] ? { maxDistance: Number(args['max-distance']) } : {}),
};
const KINDS = ['resized', 'brightened', 'cropped', 'all three'] as const;

const seconds = (from: number) => (performance.now() - from) / 1000;
const gray = (data: Buffer, width: number, height: number) => sharp(data, { raw: { width, height, channels: 1 } });

/** One planted copy as JPEG bytes. Every step ends in `.grayscale()`: sharp turns raw 1-channel input into sRGB otherwise. */
async function plant(pixels: Buffer, kind: number, random: Random): Promise<Buffer> {
  let [data, w, h] = [pixels, 28, 28];
  if (kind === 2 || kind === 3) {
    const [left, top] = [Math.floor(random() * 2), Math.floor(random() * 2)];
    data = await gray(data, w, h).extract({ left, top, width: 27, height: 27 }).grayscale().raw().toBuffer();
    [w, h] = [27, 27];
  }
  if (kind === 1 || kind === 3) data = await gray(data, w, h).linear(1.1, 0).grayscale().raw().toBuffer();
  if (kind === 0 || kind === 3) {
    const side = Math.round(28 * (0.75 + random() * 1.25));
    data = await gray(data, w, h).resize(side, side).grayscale().raw().toBuffer();
    [w, h] = [side, side];
  }
  return gray(data, w, h).jpeg({ quality: 70 }).toBuffer();
}

const set = readIdx('train');
if (n > set.count) throw new Error(`--n ${n}: the training set has ${set.count} images`);
const random = seededRandom(Number(args.seed));
console.log(
  `bench/dupes: ${n} Fashion-MNIST training images + ${planted} planted copies, sharp ${sharp.versions.sharp}`,
);

const started = performance.now();
const reductions: Uint8Array[] = [];
for (let i = 0; i < n; i++) reductions.push(reducePixels(imagePixels(set, i), 28, 28, 1));
const sources = Array.from({ length: planted }, () => Math.floor(random() * n));
for (let k = 0; k < planted; k++)
  reductions.push(await reduceImage(await plant(imagePixels(set, sources[k]), k % 4, random)));
const prints: ImagePrint[] = reductions.map(imagePrint);
console.log(`reductions and prints of ${prints.length} images: ${seconds(started).toFixed(1)} s`);

/** The original behind an index: itself, or the source of a planted copy. */
const originOf = (i: number) => (i < n ? i : sources[i - n]);

function score(result: NearDuplicateResult): string[] {
  const originalPairs = new Set<string>();
  for (const p of result.pairs) if (p.b < n) originalPairs.add(`${p.a},${p.b}`);
  const pairedAmongOriginals = (x: number, y: number) => originalPairs.has(`${Math.min(x, y)},${Math.max(x, y)}`);
  const found = new Set<number>();
  let [involving, strict, right] = [0, 0, 0];
  for (const { a, b } of result.pairs) {
    if (b < n) continue; // a < b, so a pair with a planted copy has it as b
    involving++;
    const [sa, sb] = [originOf(a), originOf(b)];
    if (a === sources[b - n]) found.add(b - n);
    if (sa === sb) strict++;
    if (sa === sb || pairedAmongOriginals(sa, sb)) right++;
  }
  const perKind = KINDS.map((name, kind) => {
    const of = sources.map((_, k) => k).filter((k) => k % 4 === kind);
    return `${name} ${(of.filter((k) => found.has(k)).length / of.length).toFixed(3)}`;
  });
  const largest = Math.max(0, ...result.clusters.map((c) => c.length));
  return [
    `recall ${(found.size / planted).toFixed(3)} (${perKind.join(', ')})`,
    `precision ${(strict / involving).toFixed(3)} (partner is the source or a copy of it; ${(right / involving).toFixed(3)} also counting partners the search pairs with the source among the originals; ${involving} reported pairs involve a planted copy)`,
    `among the ${n} originals: ${originalPairs.size} pairs reported; ${result.clusters.length} clusters in all, the largest ${largest} images`,
  ];
}

/** A grid of up to 48 pairs the search reports among the originals, side by side, for a person to judge. */
async function montage(result: NearDuplicateResult, file: string): Promise<void> {
  const among = result.pairs.filter((p) => p.b < n);
  const step = Math.max(1, Math.floor(among.length / 48));
  const pick = among.filter((_, i) => i % step === 0).slice(0, 48);
  const [cols, cell] = [8, 28];
  const width = cols * (2 * cell + 4);
  const rows = Math.ceil(pick.length / cols);
  const canvas = Buffer.alloc(width * rows * cell, 128);
  pick.forEach(({ a, b }, k) => {
    const [row, col] = [Math.floor(k / cols), k % cols];
    [a, b].forEach((image, side) => {
      const pixels = imagePixels(set, image);
      for (let y = 0; y < cell; y++)
        pixels.copy(canvas, (row * cell + y) * width + col * (2 * cell + 4) + side * cell, y * cell, (y + 1) * cell);
    });
  });
  await sharp(canvas, { raw: { width, height: rows * cell, channels: 1 } })
    .resize(width * 2, rows * cell * 2, { kernel: 'nearest' })
    .png()
    .toFile(file);
  console.log(`montage of ${pick.length} of the ${among.length} pairs among the originals: ${file}`);
}

/** The search on everything, then index against all-pairs on a subset; all-pairs work grows as n^2. */
async function run(label: string, opts: NearDuplicateOptions): Promise<void> {
  let started = performance.now();
  const result = findNearDuplicates(prints, opts);
  const full = seconds(started);
  console.log(`\n${label}: ${JSON.stringify({ ...DEFAULT_NEAR_DUPLICATE_OPTIONS, ...opts })}`);
  console.log(
    `search over ${prints.length}: ${full.toFixed(1)} s (${result.strategy}), ${result.candidates} candidate pairs, ` +
      `${result.registered} registered, ${result.pairs.length} pairs reported ` +
      `(${(result.timings.shortlist / 1000).toFixed(1)} s comparing, ${(result.timings.registration / 1000).toFixed(1)} s registering)`,
  );
  for (const line of score(result)) console.log(line);
  if (args.montage) await montage(result, args.montage);
  const sample = shuffled(prints, seededRandom(Number(args.seed) + 1)).slice(0, subset);
  const time = (o: NearDuplicateOptions) => {
    started = performance.now();
    const r = findNearDuplicates(sample, { ...opts, ...o });
    return { seconds: seconds(started), pairs: r.pairs.length, ...r.timings };
  };
  // The hash stage: the index against comparing every pair of hashes, which must agree.
  const [index, hashes] = [time({ strategy: 'multi-index' }), time({ strategy: 'all-pairs' })];
  if (index.pairs !== hashes.pairs) throw new Error(`index found ${index.pairs} pairs, all hash pairs ${hashes.pairs}`);
  console.log(
    `subset of ${subset}: candidates by the index ${index.seconds.toFixed(2)} s, by all hash pairs ${hashes.seconds.toFixed(2)} s (same ${index.pairs} pairs)`,
  );
  // All pairs without hashes: every pair's detail compared, then the same shortlists and
  // registrations. The pairwise part grows as n^2, the registrations as n; each is scaled so.
  const every = time({ strategy: 'all-pairs', radius: 128 });
  const grow = prints.length / subset;
  const scaled = (every.shortlist * grow ** 2 + every.registration * grow) / 1000;
  console.log(
    `all pairs compared on ${subset}: ${every.seconds.toFixed(2)} s (${(every.shortlist / 1000).toFixed(2)} s pairwise, ${(every.registration / 1000).toFixed(2)} s registering); ` +
      `scaled to ${prints.length}: ${scaled.toFixed(1)} s; ratio to the search's ${full.toFixed(1)} s: ${(scaled / full).toFixed(1)}x`,
  );
}

/**
 * The index on its own, where it pays: the 64-bit DCT hashes at a pHash-style radius of 8 bits.
 * On this data it is the radius the crops need (30 of 128 bits) that no index can serve.
 */
function hashIndexAlone(radius: number): void {
  const time = (codes: Uint32Array, strategy: SearchStrategy) => {
    const started = performance.now();
    let pairs = 0;
    pairsWithin(codes, 2, radius, () => pairs++, strategy);
    return { seconds: seconds(started), pairs };
  };
  const all = packCodes(prints.map((p) => [p.hash])).codes;
  const sample = packCodes(
    shuffled(prints, seededRandom(Number(args.seed) + 1))
      .slice(0, subset)
      .map((p) => [p.hash]),
  ).codes;
  const index = time(all, 'multi-index');
  const brute = time(sample, 'all-pairs');
  const check = time(sample, 'multi-index');
  if (check.pairs !== brute.pairs) throw new Error(`index found ${check.pairs} pairs, all-pairs ${brute.pairs}`);
  const scaled = brute.seconds * (prints.length / subset) ** 2;
  console.log(
    `\nthe index alone, 64-bit DCT hashes within ${radius} bits: ${index.seconds.toFixed(2)} s over ${prints.length} (${index.pairs} pairs); ` +
      `all-pairs on ${subset}: ${brute.seconds.toFixed(2)} s, scaled to ${prints.length}: ${scaled.toFixed(1)} s; ratio ${(scaled / index.seconds).toFixed(1)}x`,
  );
}

await run('default settings', options);
hashIndexAlone(8);
