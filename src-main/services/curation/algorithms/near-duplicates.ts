// Near-duplicate detection over a whole dataset, in three stages, each cheaper per pair than
// the next and each looking at far fewer pairs:
//
// 1. Candidates: pairs whose two 64-bit hashes together (DCT + spectrum, 128 bits) differ in
//    at most `radius` bits, found by multi-index hashing (near-dupes.ts), never all pairs.
// 2. Shortlist: each image keeps its 16 best candidates by the detail descriptor (detail.ts:
//    canonical band-pass detail, correlated; first pooled to 16x16 over every candidate
//    pair, then in full over each image's 64 best), however weak: a poor match is context
//    too, since it shows what "not a copy" looks like around that image.
// 3. Decision: the first `shortlist` of them are registered (register.ts: one image warped
//    onto the other by scale and shift, 1 - correlation left over), the next ones only while
//    everything registered is still within reach; a pair is reported when
//    - its distance is at most `sureDistance`: the same picture, whatever else is around;
//    - or at most `maxDistance` and it stands out: in either image's list of registered
//      distances it comes before the first jump by a factor of `ratio`. A copy sits that far
//      closer to its source than to anything else; a crowd of look-alikes (every plain
//      T-shirt resembles every other) falls off smoothly and is not reported. Several copies
//      of one picture sit together before the jump and are reported as one group.
//    No fixed threshold can do this alone: on Fashion-MNIST a 5 %-cropped copy is 0.001-0.006
//    from its source, and some different garments of the same cut are as close as 0.004.
import { detailDescriptor } from './detail';
import { clustersFromPairs, drain, packCodes, pairsWithinSteps, type SearchStrategy } from './near-dupes';
import { dctHash, spectrumHash } from './phash';
import { SIDE } from './reduce';
import { registeredDistance, registrable } from './register';
import { TimeSlices } from './slices';

/** Everything the search needs about one image, all derived from its reduction. */
export interface ImagePrint {
  hash: bigint;
  spectrum: bigint;
  detail: Int8Array;
  /** The 32x32 reduction itself: registration works on it. */
  reduction: Uint8Array;
}

export function imagePrint(reduction: Uint8Array): ImagePrint {
  return {
    hash: dctHash(reduction),
    spectrum: spectrumHash(reduction),
    detail: detailDescriptor(reduction),
    reduction,
  };
}

export interface NearDuplicateOptions {
  /** Candidate radius in bits over the 128 hash bits. */
  radius?: number;
  /** How many best candidates per image (by detail) are registered. */
  shortlist?: number;
  /** Registered distance (1 - correlation) at or below which a pair is the same picture. */
  sureDistance?: number;
  /** Registered distance above which a pair is never reported. */
  maxDistance?: number;
  /** The jump in an image's sorted distances that sets its copies apart from its look-alikes. */
  ratio?: number;
  /** Forces how candidates are found; left out, the index is used where it pays (near-dupes.ts). */
  strategy?: SearchStrategy;
}

// Tuned on Fashion-MNIST with planted copies (bench/dupes.ts, bench/README.md): a radius of
// 33 of 128 bits (at 30, 1.2 % of planted copies were not candidates of their source); copies
// register within 0.001-0.006 of their source, the nearest look-alike usually 2.5x further.
export const DEFAULT_NEAR_DUPLICATE_OPTIONS: Required<Omit<NearDuplicateOptions, 'strategy'>> = {
  radius: 33,
  shortlist: 4,
  sureDistance: 0.002,
  maxDistance: 0.008,
  ratio: 2.5,
};

export interface NearPair {
  a: number;
  b: number;
  /** Hamming distance over the 128 hash bits. */
  distance: number;
  /** Correlation once registered (1 - the registered distance), 1 = the same picture. */
  similarity: number;
  why: 'near-identical' | 'stands-out';
}

export interface NearDuplicateResult {
  pairs: NearPair[];
  /** Index clusters (size >= 2) joined through the pairs. */
  clusters: number[][];
  /** Candidate pairs the hashes produced (what the detail check had to look at). */
  candidates: number;
  /** Pairs registered (the shortlists, each pair once). */
  registered: number;
  /** How the candidates were found. */
  strategy: SearchStrategy;
  /** Milliseconds spent finding and shortlisting candidates (grows with pairs), and registering (grows with images). */
  timings: { shortlist: number; registration: number };
}

/** Each image's best few candidates by detail similarity, best first. */
class Shortlists {
  readonly size: number;
  readonly partners: Int32Array;
  readonly sims: Float32Array;
  readonly bits: Uint8Array;
  constructor(n: number, size: number) {
    this.size = size;
    this.partners = new Int32Array(n * size).fill(-1);
    this.sims = new Float32Array(n * size).fill(-Infinity);
    this.bits = new Uint8Array(n * size);
  }
  offer(item: number, partner: number, s: number, bits: number): void {
    const { size, sims, partners } = this;
    const o = item * size;
    if (s <= sims[o + size - 1]) return;
    let i = size - 1;
    for (; i > 0 && sims[o + i - 1] < s; i--) {
      sims[o + i] = sims[o + i - 1];
      partners[o + i] = partners[o + i - 1];
      this.bits[o + i] = this.bits[o + i - 1];
    }
    sims[o + i] = s;
    partners[o + i] = partner;
    this.bits[o + i] = bits;
  }
}

type Settings = Required<Omit<NearDuplicateOptions, 'strategy'>> & Pick<NearDuplicateOptions, 'strategy'>;

/** Where a search is: the stage, and the fraction of it done. */
export interface SearchProgress {
  stage: 'comparing' | 'registering';
  fraction: number;
}

/** Passes a stepwise search's fractions on as progress of one stage. */
function* staged<T>(stage: SearchProgress['stage'], steps: Generator<number, T>): Generator<SearchProgress, T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    yield { stage, fraction: step.value };
  }
}

/** Packed descriptors and their norms, for products by index. */
class Vectors<T extends Int8Array | Int16Array> {
  readonly norms: Float64Array;
  constructor(
    readonly data: T,
    readonly size: number,
  ) {
    const n = data.length / size;
    this.norms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let k = i * size; k < (i + 1) * size; k++) sq += data[k] * data[k];
      this.norms[i] = Math.sqrt(sq);
    }
  }
  similarity(a: number, b: number): number {
    const { data, size, norms } = this;
    if (!norms[a] || !norms[b]) return 0;
    let dot = 0;
    for (let i = 0, pa = a * size, pb = b * size; i < size; i++) dot += data[pa + i] * data[pb + i];
    return dot / (norms[a] * norms[b]);
  }
}

/** Every print's detail, and the same pooled 2x2 (exact sums, 16x16): a quarter of the products. */
function detailVectors(prints: readonly ImagePrint[]): { full: Vectors<Int8Array>; pooled: Vectors<Int16Array> } {
  const size = SIDE * SIDE;
  const half = SIDE / 2;
  const full = new Int8Array(prints.length * size);
  const pooled = new Int16Array(prints.length * half * half);
  prints.forEach((p, i) => {
    full.set(p.detail, i * size);
    const o = i * half * half;
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++) pooled[o + (y >> 1) * half + (x >> 1)] += p.detail[y * SIDE + x];
  });
  return { full: new Vectors(full, size), pooled: new Vectors(pooled, half * half) };
}

/** How many candidates per image the pooled pass keeps for the full descriptor to re-rank. */
const POOLED_KEPT = 64;

/**
 * Stages 1 and 2: hash candidates; each image's best candidates by the pooled detail (cheap,
 * and on every candidate pair), re-ranked by the full detail into its shortlist. Measured on
 * the planted Fashion-MNIST copies (bench/README.md): keeping 64 by the pooled pass finds as
 * many copies as the full descriptor on every pair, in two thirds of the time; keeping 32
 * loses 3 of 1,000.
 */
function* shortlist(
  prints: readonly ImagePrint[],
  o: Settings,
): Generator<SearchProgress, { lists: Shortlists; candidates: number; strategy: SearchStrategy }> {
  const { codes, words } = packCodes(prints.map((p) => [p.hash, p.spectrum]));
  const { full, pooled } = detailVectors(prints);
  const rough = new Shortlists(prints.length, POOLED_KEPT);
  let candidates = 0;
  const visit = (a: number, b: number, d: number) => {
    candidates++;
    const s = pooled.similarity(a, b);
    rough.offer(a, b, s, d);
    rough.offer(b, a, s, d);
  };
  const strategy = yield* staged('comparing', pairsWithinSteps(codes, words, o.radius, visit, o.strategy));
  const lists = new Shortlists(prints.length, Math.max(KEPT, o.shortlist));
  for (let item = 0; item < prints.length; item++) {
    if (item % 256 === 255) yield { stage: 'comparing', fraction: 1 };
    for (let k = item * rough.size; k < (item + 1) * rough.size && rough.partners[k] >= 0; k++) {
      lists.offer(item, rough.partners[k], full.similarity(item, rough.partners[k]), rough.bits[k]);
    }
  }
  return { lists, candidates, strategy };
}

/** One registered pair. */
interface Registered {
  a: number;
  b: number;
  bits: number;
  d: number;
}

/** Below this, registered distances are all "the same picture" and their ratios mean nothing. */
const NOISE_FLOOR = 0.001;
/** How many candidates by detail each image keeps, of which `shortlist` at a time are registered. */
const KEPT = 16;

/**
 * Stage 3: registers each image's shortlist and finds the pairs it vouches for: those before
 * the first jump by `ratio` in its sorted distances. When everything registered so far is
 * within reach (a group of copies larger than the shortlist, or a tight crowd), the next
 * `shortlist` candidates are registered too, until a jump shows or the candidates run out.
 * Each pair is registered once.
 */
function* decide(
  prints: readonly ImagePrint[],
  lists: Shortlists,
  o: Settings,
): Generator<SearchProgress, { measured: Registered[]; vouched: Set<Registered> }> {
  const n = prints.length;
  const memo = new Map<number, Registered>();
  // A pair still this far after two Gauss-Newton steps cannot come within reach.
  const giveUp = Math.min(1, o.maxDistance * o.ratio * 4);
  const vouched = new Set<Registered>();
  for (let item = 0; item < n; item++) {
    if (item % 16 === 15) yield { stage: 'registering', fraction: item / n };
    const mine = registrable(prints[item].reduction);
    const got: Registered[] = [];
    let offered = 0;
    while (offered < lists.size && lists.partners[item * lists.size + offered] >= 0) {
      const upTo = Math.min(lists.size, offered + o.shortlist);
      for (; offered < upTo; offered++) {
        const other = lists.partners[item * lists.size + offered];
        if (other < 0) break;
        const [a, b] = item < other ? [item, other] : [other, item];
        let r = memo.get(a * n + b);
        if (!r) {
          const d =
            item === a
              ? registeredDistance(mine, registrable(prints[b].reduction), giveUp)
              : registeredDistance(registrable(prints[a].reduction), mine, giveUp);
          memo.set(a * n + b, (r = { a, b, bits: lists.bits[item * lists.size + offered], d }));
        }
        got.push(r);
      }
      got.sort((x, y) => x.d - y.d);
      const exhausted = offered >= lists.size || lists.partners[item * lists.size + offered] < 0;
      const group = groupBeforeJump(got, exhausted, o);
      if (group > 0) {
        for (let i = 0; i < group; i++) vouched.add(got[i]);
        break;
      }
      if (got[got.length - 1].d > o.maxDistance) break; // something out of reach was seen and no jump led to it
    }
  }
  return { measured: [...memo.values()], vouched };
}

/** How many of the sorted distances come before the first jump by `ratio` (0: none within reach). */
function groupBeforeJump(sorted: readonly Registered[], exhausted: boolean, o: Settings): number {
  for (let k = 0; k < sorted.length && sorted[k].d <= o.maxDistance; k++) {
    // Past the list's end: nothing else came near if the candidates ran out, which sets a lone
    // match apart; a group needs a jump actually measured.
    const next = k + 1 < sorted.length ? sorted[k + 1].d : k === 0 && exhausted ? Infinity : 0;
    if (next >= o.ratio * Math.max(sorted[k].d, NOISE_FLOOR)) return k + 1;
  }
  return 0;
}

export function findNearDuplicates(
  prints: readonly ImagePrint[],
  options: NearDuplicateOptions = {},
): NearDuplicateResult {
  return drain(search(prints, options));
}

/**
 * The same search, giving the event loop a turn every `sliceMs` and reporting progress then: at
 * tens of thousands of images it takes minutes, and the process that runs it also answers the
 * window.
 */
export async function findNearDuplicatesAsync(
  prints: readonly ImagePrint[],
  options: NearDuplicateOptions = {},
  onProgress?: (p: SearchProgress) => void,
  sliceMs = 40,
): Promise<NearDuplicateResult> {
  const steps = search(prints, options);
  const slices = new TimeSlices(sliceMs);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (slices.due) {
      onProgress?.(step.value);
      await slices.turn();
    }
  }
}

/** Lexicographic order of two reductions: an order that depends on the pictures alone. */
function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The prints in an order fixed by their content. Every tie in the search (equal detail
 * similarities competing for a shortlist place, which image of a pair is registered onto the
 * other) falls to the lower index, so searching in the caller's order (ids, which follow
 * import order) made the clusters depend on the order images were imported in.
 */
function canonicalOrder(prints: readonly ImagePrint[]): number[] {
  return prints.map((_, i) => i).sort((a, b) => compareBytes(prints[a].reduction, prints[b].reduction) || a - b);
}

function* search(
  given: readonly ImagePrint[],
  options: NearDuplicateOptions,
): Generator<SearchProgress, NearDuplicateResult> {
  const o: Settings = { ...DEFAULT_NEAR_DUPLICATE_OPTIONS, ...options };
  const started = performance.now();
  const order = canonicalOrder(given);
  const prints = order.map((i) => given[i]);
  const { lists, candidates, strategy } = yield* shortlist(prints, o);
  const shortlisted = performance.now();
  const { measured, vouched } = yield* decide(prints, lists, o);
  const timings = { shortlist: shortlisted - started, registration: performance.now() - shortlisted };
  // Back to the caller's indices.
  const pairs: NearPair[] = measured
    .filter((r) => r.d <= o.sureDistance || vouched.has(r))
    .map((r) => {
      const [a, b] = [order[r.a], order[r.b]].sort((x, y) => x - y);
      return {
        a,
        b,
        distance: r.bits,
        similarity: 1 - r.d,
        why: r.d <= o.sureDistance ? ('near-identical' as const) : ('stands-out' as const),
      };
    })
    .sort((x, y) => x.a - y.a || x.b - y.b);
  const clusters = clustersFromPairs(
    prints.length,
    pairs.map((p) => [p.a, p.b] as const),
  );
  return { pairs, clusters, candidates, registered: measured.length, strategy, timings };
}
