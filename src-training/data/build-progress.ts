// Progress of a feature cache build over all its splits, with a moving rate and the time
// left. Only values computed count towards the rate: cache hits cost nothing, so a resumed
// build that skips half the set must not report twice its real speed. The rate is taken
// over the last `windowMs` (not since the start), so it follows the machine as it gets
// busier or quieter during a build of hours.
import type { Split } from '../../src-shared/schemas';
import type { FeatureProgress } from './features';

export interface BuildRate {
  /** Values computed per second over the window; absent until the window holds a second. */
  rate?: number;
  /** Seconds until every split of the build is cached, at that rate. */
  etaS?: number;
}

interface Sample {
  t: number;
  computed: number;
}

export class BuildProgress {
  readonly #pending: Map<Split, number>;
  readonly #latest = new Map<Split, FeatureProgress>();
  #samples: Sample[] = [];
  #lastEmit = -Infinity;

  /** `sizes`: the (image, view) pairs each split of the build will ask for. */
  constructor(
    sizes: Partial<Record<Split, number>>,
    private readonly now: () => number,
    private readonly windowMs = 30_000,
    private readonly intervalMs = 250,
  ) {
    this.#pending = new Map(Object.entries(sizes) as Array<[Split, number]>);
  }

  /** The rate and time left after `p`; null when the event should be skipped (throttled). */
  update(p: FeatureProgress): BuildRate | null {
    this.#latest.set(p.split, p);
    const t = this.now();
    this.#record(t);
    const edge = p.done === p.fromCache || p.done === p.total;
    if (!edge && t - this.#lastEmit < this.intervalMs) return null;
    this.#lastEmit = t;
    return this.#estimate();
  }

  #computed(): number {
    let n = 0;
    for (const p of this.#latest.values()) n += p.done - p.fromCache;
    return n;
  }

  #remaining(): number {
    let n = 0;
    for (const [split, size] of this.#pending) {
      const p = this.#latest.get(split);
      n += p ? p.total - p.done : size;
    }
    return n;
  }

  /**
   * One sample per call, dropping those older than the window but the last one before it.
   * Nothing is sampled before the first value is computed: opening the runtime (export,
   * session, probe) is paid once and says nothing about the rate.
   */
  #record(t: number): void {
    const computed = this.#computed();
    if (computed === 0) return;
    this.#samples.push({ t, computed });
    while (this.#samples.length > 2 && this.#samples[1]!.t <= t - this.windowMs) this.#samples.shift();
  }

  #estimate(): BuildRate {
    const remaining = this.#remaining();
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last) return remaining === 0 ? { etaS: 0 } : {};
    const span = (last.t - first.t) / 1000;
    const made = last.computed - first.computed;
    if (span < 1 || made <= 0) return remaining === 0 ? { etaS: 0 } : {};
    const rate = made / span;
    return { rate, etaS: remaining / rate };
  }
}
