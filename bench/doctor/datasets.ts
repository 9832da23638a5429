// The doctor corpus' data, written once as PNG files into a folder and reused: a
// Fashion-MNIST subset (real photographs of clothes, 28 px grey) and two generated sets
// whose classes are known by construction (shapes; stripe and check textures), drawn with
// seeded randomness in position, size, colour and background, so no two images are near
// duplicates. A planted-leakage variant copies training images into validation and test.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { findNearDuplicates, imagePrint } from '../../src-main/services/curation/algorithms/near-duplicates';
import { reduceImage } from '../../src-main/services/curation/algorithms/reduce';
import type { RunData, RunImage } from '../../src-shared/engine-protocol';
import { seededRandom, seedOf } from '../../src-shared/random';
import type { Random } from '../../src-shared/random';
import { FASHION_CLASSES, readFashion } from '../../test/fixtures/engine/fashion-mnist';

export type DatasetId = 'fashion' | 'shapes' | 'textures';

export interface Counts {
  train: number;
  val: number;
  test: number;
}

const SIDE = 48;
/** In generated images' names and hashes: a changed drawing must not meet features cached from the old one. */
const GENERATION = 'g2';
const FASHION_PICK = [0, 1, 7, 8];

const colour = (r: Random) => `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;

function shapeSvg(label: number, r: Random): string {
  const s = 12 + r() * 14;
  const cx = s + r() * (SIDE - 2 * s);
  const cy = s + r() * (SIDE - 2 * s);
  const fill = colour(r);
  const body =
    label === 0
      ? `<circle cx="${cx}" cy="${cy}" r="${s * 0.8}" fill="${fill}"/>`
      : label === 1
        ? `<rect x="${cx - s * 0.75}" y="${cy - s * 0.75}" width="${s * 1.5}" height="${s * 1.5}" fill="${fill}"/>`
        : `<polygon points="${cx},${cy - s} ${cx - s},${cy + s * 0.8} ${cx + s},${cy + s * 0.8}" fill="${fill}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE}" height="${SIDE}"><rect width="100%" height="100%" fill="${colour(r)}" fill-opacity="0.5"/>${body}</svg>`;
}

function textureSvg(label: number, r: Random): string {
  const period = 6 + Math.floor(r() * 8);
  const phase = Math.floor(r() * period);
  const [a, b] = [colour(r), colour(r)];
  const cells: string[] = [];
  for (let i = -1; i * period < SIDE; i++) {
    const at = i * period + phase;
    if (label === 0) cells.push(`<rect x="0" y="${at}" width="${SIDE}" height="${period / 2}" fill="${b}"/>`);
    else if (label === 1) cells.push(`<rect x="${at}" y="0" width="${period / 2}" height="${SIDE}" fill="${b}"/>`);
    else
      for (let j = -1; j * period < SIDE; j++)
        cells.push(
          `<rect x="${at}" y="${j * period + phase}" width="${period / 2}" height="${period / 2}" fill="${b}"/>`,
        );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE}" height="${SIDE}"><rect width="100%" height="100%" fill="${a}" fill-opacity="0.5"/>${cells.join('')}</svg>`;
}

/** Flat backgrounds make look-alikes that the near-duplicate search rightly joins; seeded grain keeps each image its own. */
async function onNoise(svg: string, r: Random): Promise<Buffer> {
  // Blocks of 4 px survive the 32x32 reduction the near-duplicate search works on; single-pixel grain averages away.
  const blocks = Array.from({ length: (SIDE / 4) ** 2 * 3 }, () => Math.floor(r() * 256));
  const grain = Buffer.alloc(SIDE * SIDE * 3);
  for (let i = 0; i < SIDE * SIDE; i++)
    for (let c = 0; c < 3; c++)
      grain[i * 3 + c] = blocks[(Math.floor(i / SIDE / 4) * (SIDE / 4) + Math.floor((i % SIDE) / 4)) * 3 + c]!;
  return sharp(grain, { raw: { width: SIDE, height: SIDE, channels: 3 } })
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
}

async function write(path: string, make: () => Promise<Buffer> | Buffer): Promise<void> {
  if (!existsSync(path))
    await sharp(await make())
      .png()
      .toFile(path);
}

/** Per class, in the order train, val, test; labels cycle through the classes. */
async function generated(id: 'shapes' | 'textures', dir: string, n: Counts): Promise<RunData> {
  const classes = id === 'shapes' ? ['circle', 'square', 'triangle'] : ['horizontal', 'vertical', 'check'];
  const svg = id === 'shapes' ? shapeSvg : textureSvg;
  const split = async (name: keyof Counts, count: number): Promise<RunImage[]> => {
    const out: RunImage[] = [];
    for (let i = 0; i < count; i++) {
      const label = i % classes.length;
      // One generator per image, so an image is the same whether or not the others are cached.
      const r = seededRandom(seedOf(id, name, i));
      const text = svg(label, r);
      const path = join(dir, `${id}-${GENERATION}-${name}-${i}.png`);
      await write(path, () => onNoise(text, r));
      out.push({ hash: `${id}-${GENERATION}-${name}-${i}`, path, label });
    }
    return out;
  };
  return {
    classes,
    train: await split('train', n.train),
    val: await split('val', n.val),
    test: await split('test', n.test),
  };
}

/** Fashion-MNIST holds near-duplicates of its own: keep the first image of each cluster, so a healthy run has no leakage. */
async function unique(f: ReturnType<typeof readFashion>, indices: number[]): Promise<number[]> {
  const prints = await Promise.all(
    indices.map(async (i) =>
      imagePrint(
        await reduceImage(
          await sharp(Buffer.from(f.images.subarray(i * 784, (i + 1) * 784)), {
            raw: { width: 28, height: 28, channels: 1 },
          })
            .png()
            .toBuffer(),
        ),
      ),
    ),
  );
  const drop = new Set(findNearDuplicates(prints).clusters.flatMap((c) => c.slice(1)));
  return indices.filter((_, k) => !drop.has(k));
}

async function fashion(dir: string, n: Counts): Promise<RunData> {
  const f = readFashion('train', 6000);
  const per = (count: number) => Math.ceil(count / FASHION_PICK.length);
  const need = per(n.train) + per(n.val) + per(n.test);
  const byClass = await Promise.all(
    FASHION_PICK.map((c) =>
      unique(
        f,
        Array.from({ length: f.count }, (_, i) => i)
          .filter((i) => f.labels[i] === c)
          .slice(0, need + 40),
      ),
    ),
  );
  const take = async (name: keyof Counts, offset: number, count: number): Promise<RunImage[]> => {
    const out: RunImage[] = [];
    for (let k = 0; k < count; k++) {
      const label = k % FASHION_PICK.length;
      const i = byClass[label]![offset + Math.floor(k / FASHION_PICK.length)]!;
      const path = join(dir, `fashion-${i}.png`);
      await write(path, () =>
        sharp(Buffer.from(f.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
          .png()
          .toBuffer(),
      );
      out.push({ hash: `fashion-${i}`, path, label });
    }
    return out;
  };
  return {
    classes: FASHION_PICK.map((c) => FASHION_CLASSES[c]!),
    train: await take('train', 0, n.train),
    val: await take('val', per(n.train), n.val),
    test: await take('test', per(n.train) + per(n.val), n.test),
  };
}

export async function dataset(id: DatasetId, root: string, n: Counts): Promise<RunData> {
  const dir = join(root, 'images');
  mkdirSync(dir, { recursive: true });
  return id === 'fashion' ? fashion(dir, n) : generated(id, dir, n);
}

/**
 * Copies of the first `copies` training images, re-encoded as JPEG (a near duplicate, not
 * the same file), replace as many validation and test images: the mistake seed 001 made.
 */
export async function withLeakage(data: RunData, root: string, copies: number): Promise<RunData> {
  const dir = join(root, 'images');
  const copy = async (img: RunImage, tag: string): Promise<RunImage> => {
    const path = join(dir, `${img.hash}-copy-${tag}.jpg`);
    if (!existsSync(path)) await sharp(img.path).jpeg({ quality: 85 }).toFile(path);
    return { hash: `${img.hash}-copy-${tag}`, path, label: img.label };
  };
  const val = await Promise.all(data.train.slice(0, copies).map((img) => copy(img, 'val')));
  const test = await Promise.all(data.train.slice(copies, 2 * copies).map((img) => copy(img, 'test')));
  return { ...data, val: [...val, ...data.val.slice(copies)], test: [...test, ...data.test.slice(copies)] };
}
