// The noise floor: an accuracy measured on n images is one draw. Wilson 95 % intervals on
// validation and test accuracy say how far apart two runs must be before the difference
// means anything (179 test images at 80 % carry about ±6 points).
import { formatPercent } from '../format';
import { wilsonInterval } from '../engine-metrics';
import { bestEpoch, epochName, points, refOf } from './finding';
import type { DoctorInput, Finding } from './finding';

export interface AccuracyInterval {
  accuracy: number;
  n: number;
  low: number;
  high: number;
}

/** An accuracy over n images with its Wilson 95 % interval (the count is recovered by rounding). */
export function accuracyInterval(accuracy: number, n: number): AccuracyInterval {
  const { low, high } = wilsonInterval(Math.round(accuracy * n), n);
  return { accuracy, n, low, high };
}

/** "80.0 % (73.6-85.2)" */
export function formatInterval(a: AccuracyInterval): string {
  return `${formatPercent(a.accuracy)} (95 % CI ${(a.low * 100).toFixed(1)}-${(a.high * 100).toFixed(1)})`;
}

/** Two accuracies whose 95 % intervals overlap cannot be told apart on these sets. */
export function cannotTellApart(a: AccuracyInterval, b: AccuracyInterval): boolean {
  return a.low <= b.high && b.low <= a.high;
}

/** Half the interval's width above this (in accuracy) is a warning: differences under it are noise. */
const WIDE = 0.05;

export function noiseFloor(input: DoctorInput): Finding[] {
  const sizes = input.splitSizes;
  const best = bestEpoch(input.epochs);
  const parts: string[] = [];
  const figures: Record<string, number> = {};
  let widest = 0;
  if (sizes && sizes.val > 0 && best) {
    const v = accuracyInterval(best.valAcc!, sizes.val);
    parts.push(`validation ${formatInterval(v)} on ${sizes.val} images at ${epochName(best)}`);
    Object.assign(figures, { valAcc: v.accuracy, valLow: v.low, valHigh: v.high, valImages: sizes.val });
    widest = Math.max(widest, (v.high - v.low) / 2);
  }
  const test = input.test;
  if (sizes && sizes.test > 0 && test) {
    const t = accuracyInterval(test.accuracy, sizes.test);
    parts.push(`test ${formatInterval(t)} on ${sizes.test} images`);
    Object.assign(figures, { testAcc: t.accuracy, testLow: t.low, testHigh: t.high, testImages: sizes.test });
    widest = Math.max(widest, (t.high - t.low) / 2);
  }
  if (parts.length === 0) return [];
  figures.halfWidth = widest;
  return [
    {
      id: 'noise-floor',
      severity: widest > WIDE ? 'warning' : 'info',
      title: `Noise floor: accuracy here is known to about ±${points(widest)}`,
      evidence: {
        text: `Accuracy with its Wilson 95 % interval: ${parts.join('; ')}.`,
        epochs: best ? [refOf(best)] : [],
        figures,
      },
      action:
        widest > WIDE
          ? `Treat differences between runs smaller than about ${points(widest)} as noise; more validation and test images (4x the images halves the interval) or k-fold cross-validation narrow it.`
          : 'Differences between runs larger than the intervals are real; smaller ones are noise.',
    },
  ];
}
