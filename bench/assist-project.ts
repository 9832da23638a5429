// The Fashion-MNIST project the assistant benches work on: N training images (N/10 per
// class) written as PNG files in a seeded random order and recorded unlabeled, as an import
// of a flat folder leaves them; and the features the assistant reads for them.
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FASHION_CLASSES, imagePixels, readIdx } from '../scripts/fashion-mnist';
import { FeatureStore, type HeldFeatures } from '../src-main/services/assist/feature-store';
import { openProject } from '../src-main/services/project/project';
import { assistRows } from '../src-main/store/repos/assist';
import { insertImage, upsertPath } from '../src-main/store/repos/images';
import { createImport, finishImport } from '../src-main/store/repos/imports';
import { seededRandom } from '../src-shared/random';

export const FIXTURES = '/work/shared/fixtures/keras';

/** Project dir, and each image id's true class name. */
export async function writeProject(
  dir: string,
  n: number,
  seed: number,
): Promise<{ projectDir: string; truth: Map<number, string> }> {
  const set = readIdx('train');
  const perClass = new Array(10).fill(0);
  const picks: number[] = [];
  for (let i = 0; i < set.count && picks.length < n; i++) if (perClass[set.labels[i]!]++ < n / 10) picks.push(i);
  const rand = seededRandom(seed);
  picks.sort(() => rand() - 0.5);
  const project = openProject(join(dir, 'project'), { create: true });
  const importId = createImport(project.db, join(dir, 'images'), process.pid, Date.now());
  mkdirSync(join(dir, 'images'), { recursive: true });
  const truth = new Map<number, string>();
  for (const [k, i] of picks.entries()) {
    const path = join(dir, 'images', `${String(k).padStart(5, '0')}.png`);
    const png = await sharp(imagePixels(set, i), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    await sharp(png).toFile(path);
    const hash = createHash('sha256').update(png).digest('hex');
    const st = statSync(path);
    const id = insertImage(project.db, {
      hash,
      classId: null,
      split: null,
      width: 28,
      height: 28,
      format: 'png',
      bytes: st.size,
      addedAt: Date.now(),
      importId,
    });
    upsertPath(project.db, path, id, { size: st.size, mtimeMs: Math.trunc(st.mtimeMs) }, importId);
    truth.set(id, FASHION_CLASSES[set.labels[i]!]!);
  }
  finishImport(project.db, importId, 'done', Date.now(), null);
  project.close();
  return { projectDir: join(dir, 'project'), truth };
}

/** The features the assistant would hold for every image of the project, built in a training process. */
export async function projectFeatures(
  projectDir: string,
  modelCache: string,
  backboneId: string,
  inputSize: number,
  reduceTo?: number | null,
): Promise<HeldFeatures> {
  const project = openProject(projectDir, { create: false });
  try {
    const store = new FeatureStore({
      backboneId,
      inputSize,
      featureCache: join(projectDir, 'cache', 'features'),
      modelCache,
      backend: 'wasm',
      reduceTo,
    });
    return await store.load(assistRows(project.db), () => undefined);
  } finally {
    project.close();
  }
}
