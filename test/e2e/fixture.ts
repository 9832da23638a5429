// The folder the end-to-end test imports: a slice of Fashion-MNIST as train/ and test/
// class folders, a few validation images, some loose (unlabeled) images at the top, and
// planted bad files. Returns what the UI should then show, worked out from the files.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { FASHION_CLASSES, imagePixels, readIdx, writeFashionMnist } from '../../scripts/fashion-mnist';

export interface Expected {
  total: number;
  perClass: Record<string, number>;
  perClassSplit: Record<string, Record<string, number>>;
  perSplit: Record<'train' | 'val' | 'test' | 'none', number>;
  unlabeled: number;
  /** Planted bad files, by path, with the problem kind each should get. */
  problems: Record<string, string>;
  /** Content hash (sha256 of the bytes) of every image, by path. */
  hashes: Record<string, string>;
}

const VAL_PER_CLASS = 2;
const LOOSE = 7;

async function writePng(set: ReturnType<typeof readIdx>, index: number, path: string): Promise<void> {
  await sharp(imagePixels(set, index), { raw: { width: set.cols, height: set.rows, channels: 1 } })
    .png()
    .toFile(path);
}

/** Validation and loose images come from the end of the test set, far from what writeFashionMnist takes. */
async function writeExtras(root: string): Promise<void> {
  const set = readIdx('t10k');
  const taken = new Array(FASHION_CLASSES.length).fill(0);
  for (let i = set.count - 1; taken.some((n) => n < VAL_PER_CLASS); i--) {
    const label = set.labels[i];
    if (taken[label] >= VAL_PER_CLASS) continue;
    taken[label]++;
    const folder = join(root, 'val', FASHION_CLASSES[label]);
    mkdirSync(folder, { recursive: true });
    await writePng(set, i, join(folder, `val-${i}.png`));
  }
  for (let k = 0; k < LOOSE; k++) await writePng(set, set.count - 500 - k, join(root, `loose-${k}.png`));
}

function plantProblems(root: string): Record<string, string> {
  const good = join(root, 'train', FASHION_CLASSES[0]);
  const sample = readdirSync(good).find((n) => n.endsWith('.png'))!;
  const bytes = readFileSync(join(good, sample));
  const problems: Record<string, string> = {
    [join(good, 'zz-truncated.png')]: 'corrupt',
    [join(root, 'train', FASHION_CLASSES[1], 'zz-notes.png')]: 'not-an-image',
    [join(root, 'test', FASHION_CLASSES[2], 'zz-empty.png')]: 'empty',
  };
  const [truncated, notes, empty] = Object.keys(problems);
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  writeFileSync(notes, 'These are my notes, not a picture.\n');
  writeFileSync(empty, '');
  return problems;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

export async function buildFixture(root: string, perClass: number): Promise<Expected> {
  await writeFashionMnist(root, { perClass, splits: true });
  await writeExtras(root);
  const problems = plantProblems(root);
  const expected: Expected = {
    total: 0,
    perClass: Object.fromEntries(FASHION_CLASSES.map((c) => [c, 0])),
    perClassSplit: Object.fromEntries(FASHION_CLASSES.map((c) => [c, { train: 0, val: 0, test: 0 }])),
    perSplit: { train: 0, val: 0, test: 0, none: 0 },
    unlabeled: 0,
    problems,
    hashes: {},
  };
  const seen = new Map<string, string>();
  for (const path of listFiles(root)) {
    if (path in problems) continue;
    const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
    // Fashion-MNIST has a few exact duplicates; the counts below assume this slice has none.
    if (seen.has(hash)) throw new Error(`fixture: ${path} duplicates ${seen.get(hash)}; pick another slice`);
    seen.set(hash, path);
    expected.hashes[path] = hash;
    const parts = relative(root, path).split(sep);
    expected.total++;
    if (parts.length === 1) {
      expected.unlabeled++;
      expected.perSplit.none++;
      continue;
    }
    const [split, cls] = parts as ['train' | 'val' | 'test', string];
    expected.perSplit[split]++;
    expected.perClass[cls]++;
    expected.perClassSplit[cls][split]++;
  }
  return expected;
}
