// A tiny labelled Fashion-MNIST slice for training in the end-to-end tests and the
// screenshots: a few classes as train/, val/ and test/ class folders, so an import gives
// the splits and labels, and a MobileNetV2 run on the wasm backend takes seconds.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FASHION_CLASSES, imagePixels, readIdx } from '../../scripts/fashion-mnist';

export interface TinySpec {
  classes: string[];
  perSplit: { train: number; val: number; test: number };
}

export const TINY: TinySpec = { classes: ['T-shirt_top', 'Trouser', 'Bag'], perSplit: { train: 8, val: 3, test: 4 } };

/** How many images writeTinyFixture writes for `spec`. */
export function tinyCount(spec: TinySpec = TINY): number {
  return spec.classes.length * (spec.perSplit.train + spec.perSplit.val + spec.perSplit.test);
}

/** Writes the images; returns how many. Train comes from the training set, val and test from t10k. */
export async function writeTinyFixture(root: string, spec: TinySpec = TINY): Promise<number> {
  let written = 0;
  const plan: Array<['train' | 'val' | 'test', 'train' | 't10k', number]> = [
    ['train', 'train', 0],
    ['val', 't10k', 0],
    ['test', 't10k', spec.perSplit.val],
  ];
  for (const [split, source, skip] of plan) {
    const set = readIdx(source);
    for (const name of spec.classes) {
      const label = FASHION_CLASSES.indexOf(name as (typeof FASHION_CLASSES)[number]);
      if (label < 0) throw new Error(`not a Fashion-MNIST class: ${name}`);
      const folder = join(root, split, name);
      mkdirSync(folder, { recursive: true });
      let seen = 0;
      let taken = 0;
      for (let i = 0; i < set.count && taken < spec.perSplit[split]; i++) {
        if (set.labels[i] !== label || seen++ < skip) continue;
        await sharp(imagePixels(set, i), { raw: { width: set.cols, height: set.rows, channels: 1 } })
          .png()
          .toFile(join(folder, `${source}-${String(i).padStart(5, '0')}.png`));
        taken++;
        written++;
      }
    }
  }
  return written;
}
