// The launcher's augmentation preview: a few training images decoded as the engine decodes
// them and put through the engine's own transforms, with the parameters the feature cache
// draws for (image hash, view, seed). Small images on the cpu backend, in-process.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { AugmentPreviewInput, AugmentPreviewOutput } from '../../../src-shared/runs';
import { AugmentSpec, augmentBatch, viewParams } from '../../../src-node-shared/data/augment';
import { ensureBackend } from '../../../src-node-shared/backend';
import { loadImage } from '../../../src-node-shared/data/images';
import { seededRandom, seedOf, shuffled } from '../../../src-shared/random';
import { imagePaths, previewPool } from '../../store/repos/images';
import type { Project } from '../project/project';

const PREVIEW_SIZE = 160;

interface Pick {
  imageId: number;
  hash: string;
  path: string;
}

/** Training-split images, else any labelled one; a seeded shuffle so a seed shows the same images. */
function pickImages(p: Project, count: number, seed: number): Pick[] {
  const out: Pick[] = [];
  for (const r of shuffled(previewPool(p.db), seededRandom(seedOf('augment-preview', seed)))) {
    const path = imagePaths(p.db, r.id).find((f) => existsSync(f));
    if (path) out.push({ imageId: r.id, hash: r.hash, path });
    if (out.length === count) break;
  }
  return out;
}

/** [n, h, w, 3] float 0..255 to one JPEG data URL per image. */
async function toDataUrls(batch: tf.Tensor4D): Promise<string[]> {
  const [n, h, w] = batch.shape;
  const bytes = await batch.data();
  const per = h * w * 3;
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const px = Uint8Array.from(bytes.subarray(i * per, (i + 1) * per), (v) => Math.round(v));
      const jpeg = await sharp(px, { raw: { width: w, height: h, channels: 3 } })
        .jpeg({ quality: 80 })
        .toBuffer();
      return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
    }),
  );
}

async function previewOne(pick: Pick, spec: AugmentSpec, input: AugmentPreviewInput, size: number) {
  const img = await loadImage(pick.path, size);
  const params = Array.from({ length: input.views }, (_, i) => viewParams(spec, pick.hash, i + 1, input.seed));
  const views = tf.tidy(() => {
    const copies = tf.stack(params.map(() => img)) as tf.Tensor4D;
    return tf.concat([tf.expandDims(img, 0), augmentBatch(copies, params)], 0) as tf.Tensor4D;
  });
  img.dispose();
  try {
    const [original, ...rest] = await toDataUrls(views);
    return { imageId: pick.imageId, hash: pick.hash, original: original!, views: rest };
  } finally {
    views.dispose();
  }
}

export async function augmentPreview(p: Project, input: AugmentPreviewInput): Promise<AugmentPreviewOutput> {
  const { views: _cached, ...rest } = input.augment;
  const spec = AugmentSpec.parse(rest);
  const size = input.inputSize ?? PREVIEW_SIZE;
  await ensureBackend();
  const items = [];
  for (const pick of pickImages(p, input.count, input.seed)) items.push(await previewOne(pick, spec, input, size));
  return { items };
}
