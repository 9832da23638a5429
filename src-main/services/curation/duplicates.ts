// Near-duplicate detection over a whole dataset: hashes find candidates, the detail
// descriptor decides.
//
// 1. Candidates: pairs whose two 64-bit hashes together (DCT + spectrum, 128 bits) differ in
//    at most `radius` bits, found by multi-index hashing (near-dupes.ts), never all pairs.
// 2. Decision, per candidate pair, on the detail similarity s (detail.ts):
//    - s >= `sureSimilarity`: the same picture, whatever else is around;
//    - or s >= `minSimilarity` and s stands out from either image's neighbourhood: at least
//      `margin` above its `neighbours`-th best similarity, or above the first drop (of at
//      least `groupGap`) in its list of best similarities, which is how a group of several
//      copies of one picture shows. In a dataset of look-alikes (every plain T-shirt
//      resembles every other) a fixed threshold either misses re-encoded, cropped copies or
//      flags half the dataset; a copy, though, is much closer to its source than to anything
//      else, and that is what this asks.
import { detailDescriptor } from './detail';
import { clustersFromPairs, packCodes, pairsWithin, type SearchStrategy } from './near-dupes';
import { dctHash, spectrumHash } from './phash';
import { SIDE } from './reduce';

const DETAIL = SIDE * SIDE;

/** Everything the search needs about one image, all derived from its reduction. */
export interface ImagePrint {
  hash: bigint;
  spectrum: bigint;
  detail: Int8Array;
}

export function imagePrint(reduction: Uint8Array): ImagePrint {
  return { hash: dctHash(reduction), spectrum: spectrumHash(reduction), detail: detailDescriptor(reduction) };
}

export interface NearDuplicateOptions {
  /** Candidate radius in bits over the 128 hash bits. */
  radius?: number;
  sureSimilarity?: number;
  minSimilarity?: number;
  margin?: number;
  neighbours?: number;
  /** The drop in an image's similarity list that sets its group of copies apart. */
  groupGap?: number;
  /** Forces how candidates are found; left out, the index is used where it pays (near-dupes.ts). */
  strategy?: SearchStrategy;
}

// Tuned on Fashion-MNIST with planted copies (bench/dupes.ts, bench/README.md): a radius of
// 30 of 128 bits is what a copy cropped by 5% needs; a sure threshold below 0.97 lets
// look-alike chains merge into clusters of hundreds.
export const DEFAULT_NEAR_DUPLICATE_OPTIONS: Required<Omit<NearDuplicateOptions, 'strategy'>> = {
  radius: 30,
  sureSimilarity: 0.97,
  minSimilarity: 0.7,
  margin: 0.05,
  neighbours: 3,
  groupGap: 0.1,
};
/** How many of an image's best similarities the group rule looks through. */
const GROUP_WINDOW = 8;

export interface NearPair {
  a: number;
  b: number;
  /** Hamming distance over the 128 hash bits. */
  distance: number;
  /** Detail similarity, 1 = identical detail. */
  similarity: number;
  why: 'near-identical' | 'stands-out';
}

export interface NearDuplicateResult {
  pairs: NearPair[];
  /** Index clusters (size >= 2) joined through the pairs. */
  clusters: number[][];
  /** Candidate pairs the hashes produced (what the detail check had to look at). */
  candidates: number;
  /** How the candidates were found. */
  strategy: SearchStrategy;
}

/** Growable columns for the pairs that pass the absolute floor. */
class PairColumns {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  d = new Uint8Array(1024);
  s = new Float32Array(1024);
  length = 0;
  push(a: number, b: number, d: number, s: number): void {
    if (this.length === this.a.length) {
      const grow = <T extends Int32Array | Uint8Array | Float32Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.a = grow(this.a);
      this.b = grow(this.b);
      this.d = grow(this.d);
      this.s = grow(this.s);
    }
    const i = this.length++;
    this.a[i] = a;
    this.b[i] = b;
    this.d[i] = d;
    this.s[i] = s;
  }
}

/** Each image's best few similarities, best first (-1 where it has fewer candidates). */
class Neighbourhoods {
  readonly #size: number;
  readonly #sims: Float32Array;
  constructor(n: number, size: number) {
    this.#size = size;
    this.#sims = new Float32Array(n * size).fill(-1);
  }
  record(item: number, s: number): void {
    const [o, sims] = [item * this.#size, this.#sims];
    if (s <= sims[o + this.#size - 1]) return;
    let i = this.#size - 1;
    for (; i > 0 && sims[o + i - 1] < s; i--) sims[o + i] = sims[o + i - 1];
    sims[o + i] = s;
  }
  /** The k-th best similarity of `item`; -1 if it has fewer candidates. */
  level(item: number, k: number): number {
    return this.#sims[item * this.#size + k - 1];
  }
  /**
   * The similarity just above the first drop of at least `gap` in `item`'s list: an image with
   * several copies sees them all close, then a fall to the look-alikes. Infinity when there is
   * no such drop (a crowd of look-alikes falls off smoothly). The first drop, not the largest:
   * below the copies, a look-alike may still stand above the next fall.
   */
  groupCutoff(item: number, floor: number, gap: number): number {
    const o = item * this.#size;
    for (let i = 0; i < this.#size && this.#sims[o + i] >= floor; i++) {
      // Past the list's end: nothing more (0) if it is not full, unknown (no drop) if it is.
      const next = i + 1 < this.#size ? Math.max(0, this.#sims[o + i + 1]) : this.#sims[o + i];
      if (this.#sims[o + i] - next >= gap) return this.#sims[o + i];
    }
    return Infinity;
  }
}

function packDetails(prints: readonly ImagePrint[]): { details: Int8Array; norms: Float64Array } {
  const details = new Int8Array(prints.length * DETAIL);
  const norms = new Float64Array(prints.length);
  prints.forEach((p, i) => {
    details.set(p.detail, i * DETAIL);
    let sq = 0;
    for (let k = 0; k < DETAIL; k++) sq += p.detail[k] * p.detail[k];
    norms[i] = Math.sqrt(sq);
  });
  return { details, norms };
}

type Settings = Required<Omit<NearDuplicateOptions, 'strategy'>> & Pick<NearDuplicateOptions, 'strategy'>;

/** Stage 1 and the similarities: candidate pairs above the floor, and every image's neighbourhood. */
function scoreCandidates(prints: readonly ImagePrint[], o: Settings) {
  const { codes, words } = packCodes(prints.map((p) => [p.hash, p.spectrum]));
  const { details, norms } = packDetails(prints);
  const hoods = new Neighbourhoods(prints.length, Math.max(o.neighbours, GROUP_WINDOW));
  const kept = new PairColumns();
  let candidates = 0;
  const strategy = pairsWithin(codes, words, o.radius, (a, b, d) => {
    candidates++;
    let dot = 0;
    for (let i = 0, pa = a * DETAIL, pb = b * DETAIL; i < DETAIL; i++) dot += details[pa + i] * details[pb + i];
    const s = norms[a] && norms[b] ? dot / (norms[a] * norms[b]) : 0;
    hoods.record(a, s);
    hoods.record(b, s);
    if (s >= o.minSimilarity) kept.push(a, b, d, s);
  }, o.strategy);
  return { hoods, kept, candidates, strategy };
}

export function findNearDuplicates(prints: readonly ImagePrint[], options: NearDuplicateOptions = {}): NearDuplicateResult {
  const o: Settings = { ...DEFAULT_NEAR_DUPLICATE_OPTIONS, ...options };
  const { hoods, kept, candidates, strategy } = scoreCandidates(prints, o);
  const bar = (x: number) => Math.min(hoods.level(x, o.neighbours) + o.margin, hoods.groupCutoff(x, o.minSimilarity, o.groupGap));
  const pairs: NearPair[] = [];
  for (let i = 0; i < kept.length; i++) {
    const [a, b, s] = [kept.a[i], kept.b[i], kept.s[i]];
    const sure = s >= o.sureSimilarity;
    if (!sure && s < bar(a) && s < bar(b)) continue;
    pairs.push({ a, b, distance: kept.d[i], similarity: s, why: sure ? 'near-identical' : 'stands-out' });
  }
  const clusters = clustersFromPairs(prints.length, pairs.map((p) => [p.a, p.b] as const));
  return { pairs, clusters, candidates, strategy };
}
