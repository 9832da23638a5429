// Real Fashion-MNIST features for the assistant's benches, built once into a kept folder
// (the extraction takes minutes here) and reused: the standardised features the assistant
// held before the reduction, with each row's true class.
//   npx tsx bench/assist-features.ts [--dir /tmp/studio-assist-fm] [--images 3000] [--backbone mobilenet_v2] [--size 96]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_CLASSES } from '../scripts/fashion-mnist';
import { BackboneService } from '../src-main/services/backbones/backbone-service';
import { FIXTURES, projectFeatures, writeProject } from './assist-project';

const WEIGHTS: Record<string, string> = {
  mobilenet_v2: 'mobilenet_v2_1.0_224_from_slim_no_top.h5',
  'mobilenet_0.25': 'mobilenet_2_5_224_tf_no_top.h5',
};

export interface BenchFeatures {
  x: Float32Array;
  d: number;
  /** True class index per row. */
  truth: Int32Array;
  k: number;
}

export async function fashionFeatures(opts: {
  dir: string;
  images: number;
  backboneId: string;
  size: number;
}): Promise<BenchFeatures> {
  const tag = `${opts.backboneId}-${opts.size}-${opts.images}`;
  const file = join(opts.dir, `${tag}.f32`);
  if (!existsSync(file)) {
    mkdirSync(opts.dir, { recursive: true });
    // The project and its feature cache are kept beside: a second backbone or size reuses the images.
    const work = join(opts.dir, `fashion-${opts.images}`);
    const truthFile = join(work, 'truth.json');
    if (!existsSync(truthFile)) {
      const { truth } = await writeProject(work, opts.images, 1);
      writeFileSync(truthFile, JSON.stringify([...truth]));
    }
    const truth = new Map(JSON.parse(readFileSync(truthFile, 'utf8')) as [number, string][]);
    const models = join(opts.dir, 'models');
    await new BackboneService({ cacheDir: models }).import({
      file: join(FIXTURES, WEIGHTS[opts.backboneId]!),
      id: opts.backboneId,
    });
    const held = await projectFeatures(join(work, 'project'), models, opts.backboneId, opts.size, null);
    const labels = Int32Array.from(held.imageIds, (id) => FASHION_CLASSES.indexOf(truth.get(id)! as never));
    writeFileSync(`${file}.json`, JSON.stringify({ d: held.d, labels: Array.from(labels) }));
    writeFileSync(file, Buffer.from(held.x.buffer, held.x.byteOffset, held.x.byteLength));
  }
  const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { d: number; labels: number[] };
  const bytes = readFileSync(file);
  const x = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { x, d: meta.d, truth: Int32Array.from(meta.labels), k: FASHION_CLASSES.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: '/tmp/studio-assist-fm' },
      images: { type: 'string', default: '3000' },
      backbone: { type: 'string', default: 'mobilenet_v2' },
      size: { type: 'string', default: '96' },
    },
  });
  const t = performance.now();
  const f = await fashionFeatures({
    dir: values.dir,
    images: Number(values.images),
    backboneId: values.backbone,
    size: Number(values.size),
  });
  console.log(`${f.truth.length} x ${f.d} features in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
