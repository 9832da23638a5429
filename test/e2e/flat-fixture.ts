// An unlabeled folder to label by hand: the first Fashion-MNIST test images as one flat
// folder of PNGs (no class subfolders, no splits), each with its true class for reference.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FASHION_CLASSES, imagePixels, readIdx } from '../../scripts/fashion-mnist';

export interface FlatFixture {
  folder: string;
  /** True class of each file, in file-name order. */
  truth: string[];
}

export async function writeFlatFixture(folder: string, count: number): Promise<FlatFixture> {
  mkdirSync(folder, { recursive: true });
  const set = readIdx('t10k');
  const seen = new Set<string>();
  const truth: string[] = [];
  for (let i = 0; truth.length < count && i < set.count; i++) {
    const png = await sharp(imagePixels(set, i), { raw: { width: set.cols, height: set.rows, channels: 1 } })
      .png()
      .toBuffer();
    // The importer keeps one copy of identical files; a fixture with copies would count fewer.
    const hash = createHash('sha256').update(png).digest('hex');
    if (seen.has(hash)) continue;
    seen.add(hash);
    await sharp(png).toFile(join(folder, `item-${String(truth.length).padStart(4, '0')}.png`));
    truth.push(FASHION_CLASSES[set.labels[i]]);
  }
  return { folder, truth };
}
