// The projects the assistant benches work on, recorded unlabeled in a seeded random order, as
// an import of a flat folder leaves them, and the features the assistant reads for them:
// - Fashion-MNIST: N training images (N/10 per class) written as 28 px PNG files;
// - the Tux Paint stamps (Debian's tuxpaint-stamps-default): colour clip art with transparent
//   backgrounds, one class per stamp category, written by scripts/tuxpaint-stamps.ts.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FASHION_CLASSES, imagePixels, readIdx } from '../scripts/fashion-mnist';
import { TUXPAINT_STAMPS_DIR, writeStamps } from '../scripts/tuxpaint-stamps';
import { FeatureStore, type HeldFeatures } from '../src-main/services/assist/feature-store';
import { openProject } from '../src-main/services/project/project';
import { assistRows } from '../src-main/store/repos/assist';
import { insertImage, upsertPath } from '../src-main/store/repos/images';
import { createImport, finishImport } from '../src-main/store/repos/imports';
import { seededRandom, shuffled } from '../src-shared/random';

export const FIXTURES = '/work/shared/fixtures/keras';

export interface BenchProject {
  projectDir: string;
  /** Each image id's true class name. */
  truth: Map<number, string>;
  /** The class names, in the order the annotator creates them. */
  classes: readonly string[];
}

/** Fashion-MNIST: the first n/10 training images of each class, in a seeded random order. */
export async function writeProject(dir: string, n: number, seed: number): Promise<BenchProject> {
  const set = readIdx('train');
  const perClass = new Array(10).fill(0);
  const picks: number[] = [];
  for (let i = 0; i < set.count && picks.length < n; i++) if (perClass[set.labels[i]!]++ < n / 10) picks.push(i);
  const rand = seededRandom(seed);
  picks.sort(() => rand() - 0.5);
  mkdirSync(join(dir, 'images'), { recursive: true });
  const files: { path: string; className: string }[] = [];
  for (const [k, i] of picks.entries()) {
    const path = join(dir, 'images', `${String(k).padStart(5, '0')}.png`);
    const png = await sharp(imagePixels(set, i), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    writeFileSync(path, png);
    files.push({ path, className: FASHION_CLASSES[set.labels[i]!]! });
  }
  return { ...(await recordProject(dir, join(dir, 'images'), files)), classes: FASHION_CLASSES };
}

/**
 * The Tux Paint stamps: every category with at least `min` stamps, at most `max` of each (a
 * seeded choice), in a seeded random order.
 */
export async function writeStampsProject(
  dir: string,
  opts: { min: number; max: number; seed: number },
): Promise<BenchProject> {
  const root = join(dir, 'images');
  const counts = await writeStamps(TUXPAINT_STAMPS_DIR, root, { ...opts, svg: true });
  const classes = Object.keys(counts).sort();
  const files = classes.flatMap((className) => stampFiles(join(root, className)).map((path) => ({ path, className })));
  return { ...(await recordProject(dir, root, shuffled(files, seededRandom(opts.seed)))), classes };
}

function stampFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => join(folder, f));
}

/** Records image files unlabeled in a new project beside them, in the order given. */
async function recordProject(
  dir: string,
  root: string,
  files: readonly { path: string; className: string }[],
): Promise<Omit<BenchProject, 'classes'>> {
  const project = openProject(join(dir, 'project'), { create: true });
  const importId = createImport(project.db, root, process.pid, Date.now());
  const truth = new Map<number, string>();
  for (const { path, className } of files) {
    const bytes = readFileSync(path);
    const { width = 0, height = 0, format = 'png' } = await sharp(bytes).metadata();
    const st = statSync(path);
    const id = insertImage(project.db, {
      hash: createHash('sha256').update(bytes).digest('hex'),
      classId: null,
      split: null,
      width,
      height,
      format,
      bytes: st.size,
      addedAt: Date.now(),
      importId,
    });
    upsertPath(project.db, path, id, { size: st.size, mtimeMs: Math.trunc(st.mtimeMs) }, importId);
    truth.set(id, className);
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
