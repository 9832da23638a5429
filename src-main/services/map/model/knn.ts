// Exact k nearest neighbours by brute force, in the PCA space (a few dozen values a point):
// at the map's sample sizes (thousands) this is seconds, exact, and needs no index. The
// distance is Euclidean, as umap-js's own default.
import { yieldOrStop } from '../../../../src-node-shared/yield';

export interface Neighbours {
  /** Per query, k indices into the base, nearest first. */
  indices: Int32Array;
  distances: Float32Array;
  k: number;
}

export interface KnnInput {
  /** Base points, row-major, `dim` values each. */
  base: Float32Array;
  /** Query points in the same space. */
  query: Float32Array;
  dim: number;
  k: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

function squaredNorms(x: Float32Array, dim: number): Float64Array {
  const n = x.length / dim;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0, off = i * dim; j < dim; j++) s += x[off + j]! ** 2;
    out[i] = s;
  }
  return out;
}

/** With the base as the query, each point's own row is its nearest (distance 0), as UMAP expects. */
export async function nearest(input: KnnInput): Promise<Neighbours> {
  const { base, query, dim, signal } = input;
  const nb = base.length / dim;
  const nq = query.length / dim;
  const k = Math.min(input.k, nb);
  const baseNorms = squaredNorms(base, dim);
  const indices = new Int32Array(nq * k);
  const distances = new Float32Array(nq * k);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  let last = performance.now();
  for (let q = 0; q < nq; q++) {
    if (performance.now() - last > 50) {
      await yieldOrStop(signal);
      input.onProgress?.(q, nq);
      last = performance.now();
    }
    const qo = q * dim;
    let qn = 0;
    for (let j = 0; j < dim; j++) qn += query[qo + j]! ** 2;
    bestD.fill(Infinity);
    let worst = Infinity;
    for (let b = 0; b < nb; b++) {
      const bo = b * dim;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += query[qo + j]! * base[bo + j]!;
      const d2 = qn + baseNorms[b]! - 2 * dot;
      if (d2 >= worst) continue;
      // Insertion into the sorted top k.
      let p = k - 1;
      while (p > 0 && bestD[p - 1]! > d2) {
        bestD[p] = bestD[p - 1]!;
        bestI[p] = bestI[p - 1]!;
        p--;
      }
      bestD[p] = d2;
      bestI[p] = b;
      worst = bestD[k - 1]!;
    }
    for (let r = 0; r < k; r++) {
      indices[q * k + r] = bestI[r]!;
      distances[q * k + r] = Math.sqrt(Math.max(0, bestD[r]!));
    }
  }
  input.onProgress?.(nq, nq);
  return { indices, distances, k };
}

/**
 * Nearest neighbours found among candidates from the leading `coarse` dimensions (PCA puts
 * most of a distance there), then ranked by the full distance: about dim / coarse times
 * faster, and near exact for placing points on a map.
 */
export async function nearestCoarse(input: KnnInput & { coarse: number; candidates: number }): Promise<Neighbours> {
  const { base, query, dim, coarse } = input;
  if (coarse >= dim) return nearest(input);
  const cut = (x: Float32Array) => {
    const n = x.length / dim;
    const out = new Float32Array(n * coarse);
    for (let i = 0; i < n; i++) out.set(x.subarray(i * dim, i * dim + coarse), i * coarse);
    return out;
  };
  const c = await nearest({ ...input, base: cut(base), query: cut(query), dim: coarse, k: input.candidates });
  const nq = query.length / dim;
  const k = Math.min(input.k, c.k);
  const indices = new Int32Array(nq * k);
  const distances = new Float32Array(nq * k);
  const order = new Array<[number, number]>(c.k);
  for (let q = 0; q < nq; q++) {
    for (let r = 0; r < c.k; r++) {
      const b = c.indices[q * c.k + r]!;
      let s = 0;
      for (let j = 0; j < dim; j++) s += (query[q * dim + j]! - base[b * dim + j]!) ** 2;
      order[r] = [s, b];
    }
    order.sort((a, b) => a[0] - b[0]);
    for (let r = 0; r < k; r++) {
      indices[q * k + r] = order[r]![1];
      distances[q * k + r] = Math.sqrt(order[r]![0]);
    }
  }
  return { indices, distances, k };
}
