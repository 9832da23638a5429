// Finding every pair of codes within a Hamming radius without comparing all pairs, and
// turning pairs into clusters.
//
// Multi-index hashing (Norouzi et al., 2012): each code is cut into m bands; if two codes
// differ in at most r bits, at least one band differs in at most floor(r / m) bits
// (pigeonhole). So each band gets a table from band value to codes, and a query probes, in
// every band, only the values within floor(r / m) bits of its own. The band count is chosen
// from n and r to balance probes against bucket sizes. The result is exact: the same pairs
// as comparing everything (checked against `pairsWithinBrute` in the tests).
//
// Codes are packed in one Uint32Array, `words` 32-bit words per code, so popcounts run on
// plain numbers (bigint popcount is an order of magnitude slower).

export type PairVisitor = (a: number, b: number, distance: number) => void;

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Packs per-item lists of 64-bit hashes (the same count for every item) into words. */
export function packCodes(items: ReadonlyArray<readonly bigint[]>): { codes: Uint32Array; words: number } {
  const per = items[0]?.length ?? 1;
  const words = per * 2;
  const codes = new Uint32Array(items.length * words);
  items.forEach((hashes, i) => {
    if (hashes.length !== per) throw new Error(`item ${i} has ${hashes.length} hashes, expected ${per}`);
    hashes.forEach((h, k) => {
      codes[i * words + 2 * k] = Number(BigInt.asUintN(32, h));
      codes[i * words + 2 * k + 1] = Number(BigInt.asUintN(32, h >> 32n));
    });
  });
  return { codes, words };
}

export function codeDistance(codes: Uint32Array, words: number, a: number, b: number): number {
  let d = 0;
  for (let w = 0; w < words; w++) d += popcount32(codes[a * words + w] ^ codes[b * words + w]);
  return d;
}

/** Runs a stepwise search to its end at once. */
export function drain<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Comparisons between yields of the stepwise searches: well under a millisecond of work. */
const STEP = 1 << 14;

/** The baseline: every pair compared. Also the reference the index is tested against. */
export function pairsWithinBrute(codes: Uint32Array, words: number, radius: number, visit: PairVisitor): void {
  drain(bruteSteps(codes, words, radius, visit));
}

/** `pairsWithinBrute` as steps, yielding the fraction of comparisons done now and then. */
export function* bruteSteps(
  codes: Uint32Array,
  words: number,
  radius: number,
  visit: PairVisitor,
): Generator<number, void> {
  const n = codes.length / words;
  const total = (n * (n - 1)) / 2;
  let [done, sinceYield] = [0, 0];
  for (let a = 0; a < n; a++) {
    if (words !== 4) {
      for (let b = a + 1; b < n; b++) {
        const d = codeDistance(codes, words, a, b);
        if (d <= radius) visit(a, b, d);
      }
    } else {
      // The common case (two 64-bit hashes) unrolled: this loop is the bench's baseline and the
      // fallback for dense data, so it should be as fast as plain JavaScript gets.
      const [w0, w1, w2, w3] = [codes[4 * a], codes[4 * a + 1], codes[4 * a + 2], codes[4 * a + 3]];
      for (let b = a + 1, o = 4 * (a + 1); b < n; b++, o += 4) {
        const d =
          popcount32(w0 ^ codes[o]) +
          popcount32(w1 ^ codes[o + 1]) +
          popcount32(w2 ^ codes[o + 2]) +
          popcount32(w3 ^ codes[o + 3]);
        if (d <= radius) visit(a, b, d);
      }
    }
    done += n - 1 - a;
    if ((sinceYield += n - 1 - a) >= STEP) {
      sinceYield = 0;
      yield done / total;
    }
  }
}

/** Every mask of `len` bits with at most `r` bits set. */
function flipMasks(len: number, r: number): number[] {
  const out = [0];
  const grow = (from: number, mask: number, left: number) => {
    for (let bit = from; bit < len; bit++) {
      const m = mask | (1 << bit);
      out.push(m);
      if (left > 1) grow(bit + 1, m, left - 1);
    }
  };
  if (r > 0) grow(0, 0, r);
  return out;
}

function binomialsUpTo(len: number, r: number): number {
  let total = 0;
  for (let k = 0, c = 1; k <= r; k++, c = (c * (len - k + 1)) / k) total += c;
  return total;
}

/**
 * How many bands: the count that minimises the expected work per query, (buckets probed) x
 * (1 + codes per bucket), with bands of at most 20 bits (a table of 2^20 offsets is 4 MB).
 */
export function chooseBandCount(n: number, bits: number, radius: number): number {
  let best = { m: Math.ceil(bits / 20), cost: Infinity };
  for (let m = Math.ceil(bits / 20); m <= Math.min(bits, radius + 1); m++) {
    const len = Math.floor(bits / m);
    const cost = m * binomialsUpTo(len, Math.floor(radius / m)) * (1 + n / 2 ** len);
    if (cost < best.cost) best = { m, cost };
  }
  return best.m;
}

/**
 * Band b holds bits b, b + m, b + 2m, ...: interleaved, because neighbouring bits of a
 * perceptual hash (neighbouring frequencies) are correlated, and a band of correlated bits
 * piles most codes into a few buckets.
 */
function bandValues(codes: Uint32Array, words: number, n: number, band: number, m: number): Uint32Array {
  const values = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let bit = band, k = 0; bit < words * 32; bit += m, k++)
      v |= ((codes[i * words + (bit >>> 5)] >>> (bit & 31)) & 1) << k;
    values[i] = v >>> 0;
  }
  return values;
}

interface Band {
  /** bucket v holds order[offsets[v] .. offsets[v + 1]) */
  offsets: Uint32Array;
  order: Uint32Array;
  values: Uint32Array;
  masks: number[];
}

function buildBand(values: Uint32Array, len: number, perBand: number): Band {
  const n = values.length;
  const offsets = new Uint32Array(2 ** len + 1);
  for (let i = 0; i < n; i++) offsets[values[i] + 1]++;
  for (let v = 0; v < 2 ** len; v++) offsets[v + 1] += offsets[v];
  const fill = offsets.slice(0, 2 ** len);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[values[i]]++] = i;
  return { offsets, order, values, masks: flipMasks(len, perBand) };
}

export type SearchStrategy = 'multi-index' | 'all-pairs';

/** Bucket entries a query would scan, summed over bands and probes (duplicates included). */
function scansFor(bands: Band[], a: number): number {
  let scans = 0;
  for (const { offsets, values, masks } of bands) {
    for (const mask of masks) {
      const bucket = (values[a] ^ mask) >>> 0;
      scans += offsets[bucket + 1] - offsets[bucket] + 1;
    }
  }
  return scans;
}

/**
 * Whether the index pays: the scans of a sample of queries, extrapolated, against the n^2/2
 * comparisons of all pairs. Dense data (thousands of look-alikes within the radius) fills
 * every probed bucket, and then comparing all pairs is the faster way to the same answer.
 */
function indexPays(bands: Band[], n: number): boolean {
  const samples = Math.min(n, 256);
  let scans = 0;
  for (let k = 0; k < samples; k++) scans += scansFor(bands, Math.floor((k * n) / samples));
  return (scans / samples) * n < (n * (n - 1)) / 2;
}

/**
 * Every pair (a < b) of codes within `radius` bits, each visited once. `strategy` forces one
 * way; left out, the index is used when it pays. Returns the way taken.
 */
export function pairsWithin(
  codes: Uint32Array,
  words: number,
  radius: number,
  visit: PairVisitor,
  strategy?: SearchStrategy,
): SearchStrategy {
  return drain(pairsWithinSteps(codes, words, radius, visit, strategy));
}

/** `pairsWithin` as steps, yielding the fraction done now and then, so a caller can keep an event loop turning. */
export function* pairsWithinSteps(
  codes: Uint32Array,
  words: number,
  radius: number,
  visit: PairVisitor,
  strategy?: SearchStrategy,
): Generator<number, SearchStrategy> {
  const n = codes.length / words;
  const bits = words * 32;
  const m = chooseBandCount(n, bits, radius);
  const lens = Array.from({ length: m }, (_, b) => Math.ceil((bits - b) / m));
  const perBand = Math.floor(radius / m);
  const probes = lens.reduce((sum, len) => sum + binomialsUpTo(len, perBand), 0);
  if (strategy === 'all-pairs' || (!strategy && probes >= n)) {
    yield* bruteSteps(codes, words, radius, visit);
    return 'all-pairs';
  }
  const bands = lens.map((len, b) => buildBand(bandValues(codes, words, n, b, m), len, perBand));
  if (!strategy && !indexPays(bands, n)) {
    yield* bruteSteps(codes, words, radius, visit);
    return 'all-pairs';
  }
  const seen = new Int32Array(n).fill(-1);
  let sinceYield = 0;
  for (let a = 0; a < n; a++) {
    for (const { offsets, order, values, masks } of bands) {
      for (const mask of masks) {
        const bucket = (values[a] ^ mask) >>> 0;
        const end = offsets[bucket + 1];
        sinceYield += end - offsets[bucket] + 1;
        for (let k = offsets[bucket]; k < end; k++) {
          const b = order[k];
          if (b <= a || seen[b] === a) continue;
          seen[b] = a;
          const d = codeDistance(codes, words, a, b);
          if (d <= radius) visit(a, b, d);
        }
      }
    }
    if (sinceYield >= STEP) {
      sinceYield = 0;
      yield (a + 1) / n;
    }
  }
  return 'multi-index';
}

export class UnionFind {
  readonly #parent: Int32Array;
  constructor(n: number) {
    this.#parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    const p = this.#parent;
    while (p[x] !== x) x = p[x] = p[p[x]];
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller root wins, so a cluster's representative is its first member.
    if (ra !== rb) this.#parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Connected components of size >= 2, each sorted, ordered by first member. */
export function clustersFromPairs(n: number, pairs: Iterable<readonly [number, number]>): number[][] {
  const uf = new UnionFind(n);
  for (const [a, b] of pairs) uf.union(a, b);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = uf.find(i);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  }
  return [...groups.values()].filter((g) => g.length > 1).sort((x, y) => x[0] - y[0]);
}

/** Items with the same key (a content hash): exact duplicates, as index clusters. */
export function exactClusters(keys: readonly string[]): number[][] {
  const byKey = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const g = byKey.get(k);
    if (g) g.push(i);
    else byKey.set(k, [i]);
  });
  return [...byKey.values()].filter((g) => g.length > 1).sort((x, y) => x[0] - y[0]);
}
