// Label-error candidates in the spirit of cleanlab's confident learning (Northcutt et al.,
// 2021): out-of-fold predicted probabilities, a per-class threshold t_j = the mean
// probability the model gives class j on the images labelled j, and an image is a
// candidate when some other class reaches its threshold while its given label does not.
// The model was never trained on the image it judges, so its doubt is not memorised.

export interface OutOfFold {
  imageId: number;
  /** The given label, a class index. */
  given: number;
  probs: readonly number[];
}

export interface LabelSuspect {
  imageId: number;
  given: number;
  /** The class above its threshold with the highest probability. */
  suggested: number;
  selfConfidence: number;
  /** p(given) - max over other classes: cleanlab's normalized margin. */
  margin: number;
}

export type SuspectRanking = 'self-confidence' | 'margin';

/** t_j = mean p_j over the images labelled j; null for a class without images. */
export function classThresholds(rows: readonly OutOfFold[], classes: number): Array<number | null> {
  const sum = new Array<number>(classes).fill(0);
  const count = new Array<number>(classes).fill(0);
  for (const r of rows) {
    sum[r.given]! += r.probs[r.given]!;
    count[r.given]!++;
  }
  return sum.map((s, j) => (count[j]! > 0 ? s / count[j]! : null));
}

function suspectOf(r: OutOfFold, thresholds: ReadonlyArray<number | null>): LabelSuspect | null {
  const self = r.probs[r.given]!;
  const own = thresholds[r.given];
  if (own !== null && own !== undefined && self >= own) return null;
  let suggested = -1;
  let otherMax = -Infinity;
  r.probs.forEach((p, k) => {
    if (k === r.given) return;
    otherMax = Math.max(otherMax, p);
    const t = thresholds[k];
    // cleanlab counts p >= t as confident; a class with no images has no threshold to reach.
    if (t !== null && t !== undefined && p >= t && (suggested < 0 || p > r.probs[suggested]!)) suggested = k;
  });
  return suggested < 0
    ? null
    : { imageId: r.imageId, given: r.given, suggested, selfConfidence: self, margin: self - otherMax };
}

/** The candidates, most doubted first (lowest self-confidence or margin; image id breaks ties). */
export function findLabelSuspects(
  rows: readonly OutOfFold[],
  classes: number,
  rankBy: SuspectRanking = 'self-confidence',
): LabelSuspect[] {
  for (const r of rows) {
    if (r.probs.length !== classes || r.given < 0 || r.given >= classes) {
      throw new Error(
        `image ${r.imageId}: ${r.probs.length} probabilities and label ${r.given} for ${classes} classes`,
      );
    }
  }
  const thresholds = classThresholds(rows, classes);
  const out = rows.map((r) => suspectOf(r, thresholds)).filter((s): s is LabelSuspect => s !== null);
  const key = (s: LabelSuspect) => (rankBy === 'margin' ? s.margin : s.selfConfidence);
  return out.sort((a, b) => key(a) - key(b) || a.imageId - b.imageId);
}
