// Writes a slice of Fashion-MNIST (Debian's dataset-fashion-mnist) as class folders of PNGs,
// the layout Keras' flow_from_directory reads: real data for tests, benches and demos.
//   npm run fixtures:fashion-mnist -- OUT_DIR [--per-class N] [--splits]
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_CLASSES = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle_boot',
] as const;

export interface IdxSet {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Reads one IDX pair: `set` is 'train' or 't10k'. */
export function readIdx(set: 'train' | 't10k', dir = FASHION_MNIST_DIR): IdxSet {
  const read = (name: string) => {
    try {
      return gunzipSync(readFileSync(join(dir, name)));
    } catch (err) {
      throw new Error(
        `Cannot read ${join(dir, name)}: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist). ${String(err)}`,
      );
    }
  };
  const images = read(`${set}-images-idx3-ubyte.gz`);
  const labels = read(`${set}-labels-idx1-ubyte.gz`);
  if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) throw new Error(`${dir}: not IDX files`);
  const count = images.readUInt32BE(4);
  const rows = images.readUInt32BE(8);
  const cols = images.readUInt32BE(12);
  return { count, rows, cols, pixels: images.subarray(16), labels: labels.subarray(8, 8 + count) };
}

export function imagePixels(set: IdxSet, index: number): Buffer {
  const size = set.rows * set.cols;
  return Buffer.from(set.pixels.subarray(index * size, (index + 1) * size));
}

export interface WriteOptions {
  perClass: number;
  /** Write train/ (from the training set) and test/ (from the test set) instead of one set. */
  splits?: boolean;
}

export interface Written {
  counts: Record<string, number>;
  perSplit: Record<string, number>;
  total: number;
}

export async function writeFashionMnist(outDir: string, opts: WriteOptions): Promise<Written> {
  const counts: Record<string, number> = Object.fromEntries(FASHION_CLASSES.map((c) => [c, 0]));
  const perSplit: Record<string, number> = {};
  const sets: Array<[string | null, 'train' | 't10k']> = opts.splits
    ? [
        ['train', 'train'],
        ['test', 't10k'],
      ]
    : [[null, 'train']];
  for (const [split, name] of sets) {
    const set = readIdx(name);
    const taken = new Array(FASHION_CLASSES.length).fill(0);
    for (let i = 0; i < set.count && taken.some((n) => n < opts.perClass); i++) {
      const label = set.labels[i];
      if (taken[label] >= opts.perClass) continue;
      taken[label]++;
      const folder = join(outDir, ...(split ? [split] : []), FASHION_CLASSES[label]);
      mkdirSync(folder, { recursive: true });
      await sharp(imagePixels(set, i), { raw: { width: set.cols, height: set.rows, channels: 1 } })
        .png()
        .toFile(join(folder, `${name}-${String(i).padStart(5, '0')}.png`));
      counts[FASHION_CLASSES[label]]++;
      if (split) perSplit[split] = (perSplit[split] ?? 0) + 1;
    }
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { counts, perSplit, total };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, ...rest] = process.argv.slice(2);
  if (!out) {
    console.error('usage: npm run fixtures:fashion-mnist -- OUT_DIR [--per-class N] [--splits]');
    process.exit(2);
  }
  const at = rest.indexOf('--per-class');
  const perClass = at >= 0 ? Number(rest[at + 1]) : 100;
  const w = await writeFashionMnist(resolve(out), { perClass, splits: rest.includes('--splits') });
  console.log(`wrote ${w.total} images to ${out}`, w.counts);
}
