// Writes Debian's tuxpaint-stamps-default as class folders of PNGs: real colour images with
// transparent backgrounds, one class per top-level stamp category (animals, food, town...).
//   npm run fixtures:tuxpaint -- OUT_DIR [--min N] [--max N] [--seed S] [--no-svg]
// Files are copied, never linked: the studio references images in place and hashes them.
// A `_mirror` PNG is the stamp Tux Paint shows when flipped, so a near-copy of its base
// image: left out. An SVG with a PNG of the same name is the same stamp: the PNG is kept.
// Other SVGs are rendered by sharp to PNG (the importer reads raster formats only).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { seededRandom, shuffled } from '../src-shared/random';

export const TUXPAINT_STAMPS_DIR = '/usr/share/tuxpaint/stamps';
/** The longest side an SVG stamp is rendered at; the PNG stamps' median is about 150. */
export const SVG_SIDE = 256;

export interface Stamp {
  path: string;
  /** The file's name in its class folder: its path inside the category, '/' as '__', always .png. */
  name: string;
  kind: 'png' | 'svg';
}

export interface StampOptions {
  /** Categories with fewer stamps are left out. */
  min: number;
  /** At most this many per class, a seeded choice; undefined: all. */
  max?: number;
  seed: number;
  svg: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The stamps of one category folder, in path order. */
export function categoryStamps(dir: string, svg: boolean): Stamp[] {
  const files = filesUnder(dir);
  const pngs = new Set(files.filter((f) => extname(f) === '.png').map((f) => f.slice(0, -4)));
  const out: Stamp[] = [];
  for (const path of files) {
    const ext = extname(path);
    const stem = path.slice(0, -ext.length);
    const name = `${relative(dir, stem).split(sep).join('__')}.png`;
    if (ext === '.png' && !stem.endsWith('_mirror')) out.push({ path, name, kind: 'png' });
    else if (ext === '.svg' && svg && !pngs.has(stem)) out.push({ path, name, kind: 'svg' });
  }
  return out;
}

/** Every top-level category with at least `min` stamps, capped at `max` by a seeded shuffle. */
export function chooseStamps(root: string, opts: StampOptions): Map<string, Stamp[]> {
  const classes = new Map<string, Stamp[]>();
  const categories = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const category of categories) {
    const stamps = categoryStamps(join(root, category), opts.svg);
    if (stamps.length < opts.min) continue;
    const kept = opts.max === undefined ? stamps : shuffled(stamps, seededRandom(opts.seed)).slice(0, opts.max);
    classes.set(
      category,
      kept.sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  return classes;
}

/** Keeps the SVG's transparency; renders it so its longest side is SVG_SIDE. */
async function renderSvg(path: string, out: string): Promise<void> {
  const { width = SVG_SIDE, height = SVG_SIDE } = await sharp(path).metadata();
  const density = (72 * SVG_SIDE) / Math.max(width, height);
  await sharp(path, { density }).png().toFile(out);
}

export async function writeStamps(root: string, outDir: string, opts: StampOptions): Promise<Record<string, number>> {
  if (!existsSync(root))
    throw new Error(
      `${root} does not exist: install Debian's tuxpaint-stamps-default (apt-get install tuxpaint-stamps-default)`,
    );
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new Error(`${outDir} is not empty: give a new or empty folder, so no class of an earlier run is left in it`);
  const counts: Record<string, number> = {};
  for (const [category, stamps] of chooseStamps(root, opts)) {
    const folder = join(outDir, category);
    mkdirSync(folder, { recursive: true });
    for (const s of stamps) {
      if (s.kind === 'png') copyFileSync(s.path, join(folder, s.name));
      else await renderSvg(s.path, join(folder, s.name));
    }
    counts[category] = stamps.length;
  }
  return counts;
}

function parseCli(argv: string[]): { out: string; opts: StampOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      min: { type: 'string', default: '60' },
      max: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'no-svg': { type: 'boolean', default: false },
    },
  });
  const int = (flag: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a whole number, not "${v}"`);
    return n;
  };
  if (positionals.length !== 1)
    throw new Error('usage: npm run fixtures:tuxpaint -- OUT_DIR [--min N] [--max N] [--seed S] [--no-svg]');
  const opts = {
    min: int('min', values.min),
    max: values.max === undefined ? undefined : int('max', values.max),
    seed: int('seed', values.seed),
    svg: !values['no-svg'],
  };
  return { out: resolve(positionals[0]!), opts };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { out, opts } = parseCli(process.argv.slice(2));
    const counts = await writeStamps(TUXPAINT_STAMPS_DIR, out, opts);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    for (const [name, n] of Object.entries(counts)) console.log(`${name.padEnd(16)} ${n}`);
    console.log(`wrote ${total} images in ${Object.keys(counts).length} classes to ${basename(out)} (${out})`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
