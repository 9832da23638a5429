// The embedding map: features -> PCA (about 50 components) -> UMAP (umap-js) to 2D. UMAP's
// layout costs grow with the number of points and epochs, so a large set is fitted on a
// random sample and every other image is placed at the distance-weighted mean of its
// nearest sample points in the PCA space (the map says how many were placed that way).
import { UMAP } from 'umap-js';
import { seededRandom, shuffled } from '../../../../src-shared/random';
import { yieldOrStop } from '../../../../src-node-shared/yield';
import { fitPca, projectPca } from '../../assist/model/pca';
import { nearest, nearestCoarse } from './knn';

export type ProjectStage = 'pca' | 'neighbours' | 'layout' | 'placing';

export interface ProjectOptions {
  /** Points UMAP lays out itself; the rest are placed. */
  sampleSize?: number;
  /** PCA components; features with no more than this many values skip PCA. */
  components?: number;
  nNeighbors?: number;
  minDist?: number;
  /** Layout epochs (200, as UMAP's reference implementation uses for large sets). */
  epochs?: number;
  /** Sample points each placed point averages over. */
  placeK?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (stage: ProjectStage, done: number, total: number) => void;
}

export interface Projection {
  /** n x 2, in the rows' order. */
  xy: Float32Array;
  /** Rows UMAP laid out; the others were placed by their neighbours. */
  fitted: number;
  components: number;
}

/** Projects n rows of d values (row-major) to 2D. */
export async function projectRows(x: Float32Array, d: number, opts: ProjectOptions = {}): Promise<Projection> {
  const n = x.length / d;
  const { signal } = opts;
  const seed = opts.seed ?? 1;
  const progress = opts.onProgress ?? (() => undefined);
  const nNeighbors = Math.min(opts.nNeighbors ?? 15, n - 1);
  if (n < 3) return { xy: new Float32Array(n * 2), fitted: n, components: 0 };
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const sample = Int32Array.from(
    shuffled([...all], seededRandom(seed))
      .slice(0, Math.min(n, opts.sampleSize ?? 5000))
      .sort((a, b) => a - b),
  );
  const wanted = opts.components ?? 50;
  let z = x;
  let dim = d;
  if (d > wanted) {
    progress('pca', 0, 2);
    // The assistant's PCA, fitted on a few thousand rows (they pin 50 components down; more
    // only slow the fit), centred here since it expects centred rows. The rows are projected
    // uncentred: that moves every point by the same vector, which no distance sees.
    const fitted = centredRows(x, d, sample.subarray(0, 3000));
    const pca = await fitPca(fitted, d, { r: wanted, sample: fitted.length / d, seed, signal });
    progress('pca', 1, 2);
    z = await projectPca(pca, x, signal);
    dim = pca.r;
    progress('pca', 2, 2);
  }
  const zs = new Float32Array(sample.length * dim);
  for (let i = 0; i < sample.length; i++) zs.set(z.subarray(sample[i]! * dim, (sample[i]! + 1) * dim), i * dim);
  const knn = await nearest({
    base: zs,
    query: zs,
    dim,
    k: nNeighbors,
    signal,
    onProgress: (done, total) => progress('neighbours', done, total),
  });
  const layout = await umapLayout(zs, dim, knn, { ...opts, nNeighbors, seed }, progress);
  const xy = new Float32Array(n * 2);
  for (let i = 0; i < sample.length; i++) xy.set(layout.subarray(i * 2, i * 2 + 2), sample[i]! * 2);
  if (sample.length < n) await place(z, dim, sample, zs, layout, xy, opts.placeK ?? 8, signal, progress);
  return { xy, fitted: sample.length, components: dim === d ? 0 : dim };
}

/** The given rows of x, less their mean. */
function centredRows(x: Float32Array, d: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < rows.length; i++) {
    out.set(x.subarray(rows[i]! * d, (rows[i]! + 1) * d), i * d);
    for (let j = 0; j < d; j++) mean[j]! += out[i * d + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, rows.length);
  for (let i = 0; i < out.length; i++) out[i]! -= mean[i % d]!;
  return out;
}

async function umapLayout(
  zs: Float32Array,
  dim: number,
  knn: Awaited<ReturnType<typeof nearest>>,
  opts: ProjectOptions & { nNeighbors: number; seed: number },
  progress: NonNullable<ProjectOptions['onProgress']>,
): Promise<Float32Array> {
  const m = zs.length / dim;
  const rows = Array.from({ length: m }, (_, i) => Array.from(zs.subarray(i * dim, (i + 1) * dim)));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: opts.nNeighbors,
    minDist: opts.minDist ?? 0.1,
    nEpochs: opts.epochs ?? 200,
    random: seededRandom(opts.seed + 1),
  });
  const k = knn.k;
  umap.setPrecomputedKNN(
    Array.from({ length: m }, (_, i) => Array.from(knn.indices.subarray(i * k, (i + 1) * k))),
    Array.from({ length: m }, (_, i) => Array.from(knn.distances.subarray(i * k, (i + 1) * k))),
  );
  progress('layout', 0, 1);
  await yieldOrStop(opts.signal);
  const epochs = umap.initializeFit(rows);
  let last = performance.now();
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (performance.now() - last > 50) {
      await yieldOrStop(opts.signal);
      progress('layout', e + 1, epochs);
      last = performance.now();
    }
  }
  progress('layout', epochs, epochs);
  const out = new Float32Array(m * 2);
  umap.getEmbedding().forEach((p, i) => ((out[i * 2] = p[0]!), (out[i * 2 + 1] = p[1]!)));
  return out;
}

/** Each row outside the sample goes to the inverse-distance-weighted mean of its nearest sample points. */
async function place(
  z: Float32Array,
  dim: number,
  sample: Int32Array,
  zs: Float32Array,
  layout: Float32Array,
  xy: Float32Array,
  k: number,
  signal: AbortSignal | undefined,
  progress: NonNullable<ProjectOptions['onProgress']>,
): Promise<void> {
  const inSample = new Uint8Array(z.length / dim);
  for (const s of sample) inSample[s] = 1;
  const rest = Int32Array.from(inSample.keys()).filter((i) => !inSample[i]);
  const query = new Float32Array(rest.length * dim);
  for (let i = 0; i < rest.length; i++) query.set(z.subarray(rest[i]! * dim, (rest[i]! + 1) * dim), i * dim);
  const knn = await nearestCoarse({
    base: zs,
    query,
    dim,
    k,
    coarse: 16,
    candidates: 4 * k,
    signal,
    onProgress: (done, total) => progress('placing', done, total),
  });
  for (let i = 0; i < rest.length; i++) {
    let wx = 0;
    let wy = 0;
    let w = 0;
    for (let r = 0; r < knn.k; r++) {
      const s = knn.indices[i * knn.k + r]!;
      const weight = 1 / (knn.distances[i * knn.k + r]! + 1e-6);
      wx += weight * layout[s * 2]!;
      wy += weight * layout[s * 2 + 1]!;
      w += weight;
    }
    xy[rest[i]! * 2] = wx / w;
    xy[rest[i]! * 2 + 1] = wy / w;
  }
}
