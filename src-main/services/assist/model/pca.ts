// Principal components of the standardised features, fitted once per set of images (the
// feature store holds the result), so that every refit, prediction and nearest-neighbour
// search after it works on ~128 values per image instead of 1280. Randomised SVD (Halko,
// Martinsson & Tropp, 2011) on a seeded sample of rows with one power iteration: its cost
// is a few passes of sample x dims x components multiply-adds, against the full covariance
// matrix's dims^2 per row. The penalty of the softmax is rotation-invariant, so dropping
// the low-variance directions is the only change the head sees: no whitening.
import { seededRandom } from '../../../../src-shared/random';
import { yieldOrStop } from '../../../../src-node-shared/yield';
import { gaussian } from './gaussian';
import { timesTransposed32, transposedTimes32 } from './matmul';

export interface Pca {
  /** r components of d values each, row-major, largest variance first. */
  components: Float32Array;
  r: number;
  d: number;
  /** Variance along each component, over the sample. */
  variance: Float64Array;
}

export interface PcaOptions {
  r: number;
  /** Rows the components are fitted on (a seeded sample of them when there are more). */
  sample?: number;
  oversample?: number;
  seed?: number;
  signal?: AbortSignal;
}

const CHUNK = 512;

/** Columns (l vectors of m values, one per row of `q`) made orthonormal in place (modified Gram-Schmidt). */
function orthonormalize(q: Float32Array, l: number, m: number): void {
  for (let c = 0; c < l; c++) {
    const oc = c * m;
    for (let p = 0; p < c; p++) {
      const op = p * m;
      let s = 0;
      for (let i = 0; i < m; i++) s += q[oc + i]! * q[op + i]!;
      for (let i = 0; i < m; i++) q[oc + i]! -= s * q[op + i]!;
    }
    let n = 0;
    for (let i = 0; i < m; i++) n += q[oc + i]! * q[oc + i]!;
    const inv = n > 1e-20 ? 1 / Math.sqrt(n) : 0;
    for (let i = 0; i < m; i++) q[oc + i]! *= inv;
  }
}

/** q (l columns of m) <- X w^T, a chunk of rows at a time so a cancel is heard. */
async function times(
  x: Float32Array,
  rows: Int32Array,
  d: number,
  w: Float32Array,
  l: number,
  q: Float32Array,
  signal?: AbortSignal,
) {
  for (let at = 0; at < rows.length; at += CHUNK) {
    timesTransposed32(x, d, rows.subarray(at, at + CHUNK), w, l, q.subarray(at), 1, rows.length);
    await yieldOrStop(signal);
  }
}

/** w (l rows of d) <- X^T q. */
async function timesT(
  x: Float32Array,
  rows: Int32Array,
  d: number,
  q: Float32Array,
  l: number,
  w: Float32Array,
  signal?: AbortSignal,
) {
  w.fill(0);
  for (let at = 0; at < rows.length; at += CHUNK) {
    transposedTimes32(x, d, rows.subarray(at, at + CHUNK), q.subarray(at), rows.length, l, w);
    await yieldOrStop(signal);
  }
}

/** Eigen-decomposition of a symmetric l x l matrix by cyclic Jacobi rotations: values and vectors (columns of v). */
export function symmetricEigen(a: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < l; p++)
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * l + q]! - a[p * l + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!;
          const akq = a[k * l + q]!;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!;
          const aqk = a[q * l + k]!;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!;
          const vkq = v[k * l + q]!;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: Float64Array.from({ length: l }, (_, i) => a[i * l + i]!), vectors: v };
}

function sampleRows(n: number, size: number, seed: number): Int32Array {
  if (n <= size) return Int32Array.from({ length: n }, (_, i) => i);
  const rand = seededRandom(seed);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.subarray(0, size).sort();
}

/** The top `r` principal directions of the rows of x (n x d, centred). */
export async function fitPca(x: Float32Array, d: number, opts: PcaOptions): Promise<Pca> {
  const n = x.length / d;
  const r = Math.min(opts.r, d, n);
  const l = Math.min(d, n, r + (opts.oversample ?? 10));
  const rows = sampleRows(n, opts.sample ?? 2000, opts.seed ?? 1);
  const m = rows.length;
  const rand = seededRandom(opts.seed ?? 1);
  const w = Float32Array.from({ length: l * d }, () => gaussian(rand));
  const q = new Float32Array(l * m);
  await times(x, rows, d, w, l, q, opts.signal);
  orthonormalize(q, l, m);
  // One power iteration sharpens the top of the spectrum, which decays slowly for these features.
  await timesT(x, rows, d, q, l, w, opts.signal);
  await times(x, rows, d, w, l, q, opts.signal);
  orthonormalize(q, l, m);
  await timesT(x, rows, d, q, l, w, opts.signal); // w = B = Q^T X, l x d
  const gram = new Float64Array(l * l);
  for (let a = 0; a < l; a++)
    for (let b = a; b < l; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += w[a * d + j]! * w[b * d + j]!;
      gram[a * l + b] = gram[b * l + a] = s;
    }
  const { values, vectors } = symmetricEigen(gram, l);
  const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const components = new Float32Array(r * d);
  const variance = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    const e = order[k]!;
    const sv = Math.sqrt(Math.max(values[e]!, 0));
    variance[k] = values[e]! / Math.max(1, m - 1);
    if (sv < 1e-12) continue;
    for (let a = 0; a < l; a++) {
      const u = vectors[a * l + e]! / sv;
      if (u === 0) continue;
      for (let j = 0; j < d; j++) components[k * d + j]! += u * w[a * d + j]!;
    }
  }
  return { components, r, d, variance };
}

/** Every row of x on the components: n x r. */
export async function projectPca(pca: Pca, x: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
  const { components, r, d } = pca;
  const n = x.length / d;
  const out = new Float32Array(n * r);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (let at = 0; at < n; at += CHUNK) {
    timesTransposed32(x, d, all.subarray(at, at + CHUNK), components, r, out.subarray(at * r), r, 1);
    await yieldOrStop(signal);
  }
  return out;
}
