// Curation depends on the images, not on the order they came in: one set of Fashion-MNIST
// images with planted copies, imported into two projects under shuffled file names (so in
// different orders, with different ids), gives the same near-duplicate clusters (as sets of
// content hashes) and the same split for every image for a seed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { FASHION_CLASSES, imagePixels, readIdx } from '../../scripts/fashion-mnist';
import { seededRandom, shuffled } from '../../src-shared/random';
import { Studio } from '../../src-main/services/studio';
import { COPIES, skipWithoutData } from '../fixtures/fashion-copies';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);

const IMAGES = 500;
const PLANTED = 12;

/** Encoded images with their class: IMAGES originals, then PLANTED copies of some of them. */
async function dataset(): Promise<{ bytes: Buffer; label: string }[]> {
  const set = readIdx('t10k');
  const out: { bytes: Buffer; label: string }[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const bytes = await sharp(imagePixels(set, i), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    out.push({ bytes, label: FASHION_CLASSES[set.labels[i]!]! });
  }
  const kinds = Object.values(COPIES);
  for (let k = 0; k < PLANTED; k++) {
    const source = k * 37;
    out.push({ bytes: await kinds[k % kinds.length]!(imagePixels(set, source)), label: out[source]!.label });
  }
  return out;
}

/** The images under class folders, named so the folder walk meets them in a seed's shuffled order. */
function writeShuffled(images: { bytes: Buffer; label: string }[], seed: number): string {
  const root = temp(`data-${seed}`);
  shuffled(images, seededRandom(seed)).forEach((img, i) => {
    mkdirSync(join(root, img.label), { recursive: true });
    const ext = img.bytes[0] === 0xff ? 'jpg' : 'png';
    writeFileSync(join(root, img.label, `${String(i).padStart(4, '0')}-${seed}.${ext}`), img.bytes);
  });
  return root;
}

async function curate(
  folder: string,
): Promise<{ clusters: string[]; splits: Map<string, string | null>; ids: string[] }> {
  const studio = new Studio();
  studio.open({ path: temp('project'), create: true });
  const h = studio.handlers();
  await h.folders.pick({ path: folder });
  await h.imports.start({ folder });
  await studio.idle();
  const report = await h.curation.duplicates({});
  await h.curation.split({ val: 0.2, test: 0.1, seed: 11, keepPredefined: false, keepClusters: true });
  const rows = studio.project!.db.prepare('SELECT hash, split FROM images ORDER BY id').all() as {
    hash: string;
    split: string | null;
  }[];
  studio.close();
  return {
    clusters: report.clusters
      .map((c) =>
        c.members
          .map((m) => m.hash)
          .sort()
          .join(' '),
      )
      .sort(),
    splits: new Map(rows.map((r) => [r.hash, r.split])),
    ids: rows.map((r) => r.hash),
  };
}

test(
  'two imports of one set in shuffled orders give the same clusters and the same splits',
  { skip: skipWithoutData, timeout: 300_000 },
  async () => {
    const images = await dataset();
    const a = await curate(writeShuffled(images, 1));
    const b = await curate(writeShuffled(images, 2));
    assert.notDeepEqual(a.ids, b.ids, 'the two projects must hold the images in different id orders');
    assert.equal(a.splits.size, IMAGES + PLANTED);
    assert.ok(a.clusters.length >= PLANTED, `${a.clusters.length} clusters for ${PLANTED} planted copies`);
    assert.deepEqual(b.clusters, a.clusters);
    assert.deepEqual(new Map([...b.splits].sort()), new Map([...a.splits].sort()));
    const counts = [...a.splits.values()].reduce(
      (m, s) => m.set(s, (m.get(s) ?? 0) + 1),
      new Map<string | null, number>(),
    );
    assert.ok((counts.get('val') ?? 0) > 0 && (counts.get('test') ?? 0) > 0, JSON.stringify([...counts]));
  },
);
