// Principal components by randomized SVD (Halko, Martinsson & Tropp, 2011) on a sample of
// the rows: UMAP's neighbour search and layout on 1,280 pooled features would spend most of
// its time on distances, and 50 components keep nearly all of the neighbourhood structure.
// A covariance matrix would cost d^2 per row (1.6 million at d = 1,280); this costs about
// (k + 10) * d per row and pass.
import { seededRandom } from '../../../../src-shared/random';
import { yieldOrStop } from '../../../../src-node-shared/yield';

export interface Pca {
  d: number;
  k: number;
  mean: Float64Array;
  /** k rows of d values: the components, strongest first. */
  components: Float64Array;
}

export interface PcaInput {
  x: Float32Array;
  d: number;
  /** Rows to fit on. */
  rows: Int32Array;
  k: number;
  seed: number;
  signal?: AbortSignal;
  /** Power iterations: 2 separates the leading components well enough for a map. */
  power?: number;
}

/** Modified Gram-Schmidt on the columns of an m x c row-major matrix, in place. */
function orthonormalize(a: Float64Array, m: number, c: number): void {
  for (let j = 0; j < c; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += a[i * c + j]! * a[i * c + p]!;
      for (let i = 0; i < m; i++) a[i * c + j]! -= dot * a[i * c + p]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += a[i * c + j]! ** 2;
    const inv = norm > 1e-20 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < m; i++) a[i * c + j]! *= inv;
  }
}

/** Jacobi eigenvalues of a small symmetric c x c matrix: values and vectors (columns), unsorted. */
function jacobiEigen(s: Float64Array, c: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(s);
  const v = new Float64Array(c * c);
  for (let i = 0; i < c; i++) v[i * c + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < c; p++) for (let q = p + 1; q < c; q++) off += a[p * c + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < c; p++)
      for (let q = p + 1; q < c; q++) {
        const apq = a[p * c + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * c + q]! - a[p * c + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < c; k++) {
          const akp = a[k * c + p]!;
          const akq = a[k * c + q]!;
          a[k * c + p] = cs * akp - sn * akq;
          a[k * c + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < c; k++) {
          const apk = a[p * c + k]!;
          const aqk = a[q * c + k]!;
          a[p * c + k] = cs * apk - sn * aqk;
          a[q * c + k] = sn * apk + cs * aqk;
        }
        for (let k = 0; k < c; k++) {
          const vkp = v[k * c + p]!;
          const vkq = v[k * c + q]!;
          v[k * c + p] = cs * vkp - sn * vkq;
          v[k * c + q] = sn * vkp + cs * vkq;
        }
      }
  }
  const values = new Float64Array(c);
  for (let i = 0; i < c; i++) values[i] = a[i * c + i]!;
  return { values, vectors: v };
}

/** Y (m x c) = (A - mean) G, where G is d x c; A's rows are `rows` of x. */
async function times(input: PcaInput, mean: Float64Array, g: Float64Array, c: number): Promise<Float64Array> {
  const { x, d, rows, signal } = input;
  const m = rows.length;
  const y = new Float64Array(m * c);
  const centred = new Float64Array(d);
  for (let i = 0; i < m; i++) {
    if (i % 512 === 511) await yieldOrStop(signal);
    const off = rows[i]! * d;
    for (let j = 0; j < d; j++) centred[j] = x[off + j]! - mean[j]!;
    const out = i * c;
    for (let j = 0; j < d; j++) {
      const v = centred[j]!;
      if (v === 0) continue;
      const gj = j * c;
      for (let p = 0; p < c; p++) y[out + p]! += v * g[gj + p]!;
    }
  }
  return y;
}

/** Z (d x c) = (A - mean)^T Y, where Y is m x c. */
async function timesT(input: PcaInput, mean: Float64Array, y: Float64Array, c: number): Promise<Float64Array> {
  const { x, d, rows, signal } = input;
  const z = new Float64Array(d * c);
  for (let i = 0; i < rows.length; i++) {
    if (i % 512 === 511) await yieldOrStop(signal);
    const off = rows[i]! * d;
    const yi = i * c;
    for (let j = 0; j < d; j++) {
      const v = x[off + j]! - mean[j]!;
      if (v === 0) continue;
      const zj = j * c;
      for (let p = 0; p < c; p++) z[zj + p]! += v * y[yi + p]!;
    }
  }
  return z;
}

export async function fitPca(input: PcaInput): Promise<Pca> {
  const { x, d, rows, seed } = input;
  const m = rows.length;
  const k = Math.min(input.k, d, m);
  const c = Math.min(k + 10, d, m);
  const mean = new Float64Array(d);
  for (let i = 0; i < m; i++) for (let j = 0, off = rows[i]! * d; j < d; j++) mean[j]! += x[off + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, m);
  const random = seededRandom(seed);
  // Gaussian test matrix (Box-Muller).
  const g = new Float64Array(d * c);
  for (let i = 0; i < g.length; i++) g[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let y = await times(input, mean, g, c);
  orthonormalize(y, m, c);
  for (let it = 0; it < (input.power ?? 2); it++) {
    const z = await timesT(input, mean, y, c);
    orthonormalize(z, d, c);
    y = await times(input, mean, z, c);
    orthonormalize(y, m, c);
  }
  // B^T = (A - mean)^T Q is d x c; the right singular vectors of B are eigenvectors of B B^T (c x c).
  const bt = await timesT(input, mean, y, c);
  const bbt = new Float64Array(c * c);
  for (let j = 0; j < d; j++)
    for (let p = 0; p < c; p++) {
      const v = bt[j * c + p]!;
      for (let q = 0; q < c; q++) bbt[p * c + q]! += v * bt[j * c + q]!;
    }
  const { values, vectors } = jacobiEigen(bbt, c);
  const order = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
  const components = new Float64Array(k * d);
  for (let r = 0; r < k; r++) {
    const e = order[r]!;
    const s = Math.sqrt(Math.max(values[e]!, 1e-30));
    // v = B^T u / s, with u the eigenvector of B B^T.
    for (let j = 0; j < d; j++) {
      let dot = 0;
      for (let p = 0; p < c; p++) dot += bt[j * c + p]! * vectors[p * c + e]!;
      components[r * d + j] = dot / s;
    }
  }
  return { d, k, mean, components };
}

/** Every row of x in the components' space: n x k, as float32. */
export async function projectPca(x: Float32Array, pca: Pca, signal?: AbortSignal): Promise<Float32Array> {
  const { d, k, mean, components } = pca;
  const n = x.length / d;
  const out = new Float32Array(n * k);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (i % 1024 === 1023) await yieldOrStop(signal);
    const off = i * d;
    for (let j = 0; j < d; j++) centred[j] = x[off + j]! - mean[j]!;
    for (let r = 0; r < k; r++) {
      let dot = 0;
      const cr = r * d;
      for (let j = 0; j < d; j++) dot += centred[j]! * components[cr + j]!;
      out[i * k + r] = dot;
    }
  }
  return out;
}
