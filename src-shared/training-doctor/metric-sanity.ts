// Metric sanity: an accuracy that says nothing. At or below the majority-class rate; a
// first-epoch accuracy of exactly k/K for K classes (seed 001's 6/7, binary accuracy on
// one-hot labels, or every image predicted as one class); predictions collapsed onto one class.
import { formatPercent } from '../format';
import { bestEpoch, columnTotals, epochName, refOf, rowTotals } from './finding';
import type { DoctorInput, Finding } from './finding';
import type { EpochMetrics } from '../engine-metrics';

/** Share of all predictions going to one class that counts as collapse. */
export const COLLAPSE = 0.95;
const EXACT = 1e-9;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function majority(input: DoctorInput): Finding[] {
  const best = bestEpoch(input.epochs);
  if (!best || best.confusion.length < 2) return [];
  const rows = rowTotals(best.confusion);
  const total = sum(rows);
  const top = rows.indexOf(Math.max(...rows));
  const rate = total === 0 ? 0 : rows[top]! / total;
  if (best.valAcc! > rate + EXACT) return [];
  const name = input.classes[top] ?? `class ${top}`;
  return [
    {
      id: 'metric-sanity/majority',
      severity: 'problem',
      title: `Accuracy no better than always answering "${name}"`,
      evidence: {
        text: `The best validation accuracy, ${formatPercent(best.valAcc!)} at ${epochName(best)}, is at or below the majority-class rate: ${rows[top]} of ${total} validation images are "${name}" (${formatPercent(rate)}).`,
        epochs: [refOf(best)],
        figures: { valAcc: best.valAcc!, majorityRate: rate, majorityClass: top },
      },
      action:
        'Read macro F1 rather than accuracy, turn on balanced class weights, and check that the classes differ in what the images show.',
    },
  ];
}

/** The k with acc = k/K exactly, if any, for K >= 3 (with 2 classes every coin toss is k/2). */
function exactFraction(acc: number, classes: number): number | null {
  if (classes < 3) return null;
  for (let k = 1; k < classes; k++) if (Math.abs(acc - k / classes) < EXACT) return k;
  return null;
}

function oneClass(m: EpochMetrics): boolean {
  const cols = columnTotals(m.confusion);
  return cols.filter((c) => c > 0).length === 1;
}

function firstEpoch(input: DoctorInput): Finding[] {
  const first = input.epochs[0];
  const K = input.classes.length;
  if (!first) return [];
  const acc = first.valAcc ?? first.trainAcc;
  const k = exactFraction(acc, K);
  // k/K by coincidence happens on small sets; it means something when predictions are one class or k = K - 1.
  if (k === null || (k !== K - 1 && !oneClass(first))) return [];
  return [
    {
      id: 'metric-sanity/k-of-K',
      severity: 'warning',
      title: `First-epoch accuracy is exactly ${k}/${K}`,
      evidence: {
        text: `At ${epochName(first)} accuracy is ${formatPercent(acc)} = ${k}/${K} for ${K} classes: the figure binary accuracy gives on one-hot labels when nothing is predicted, or the share of one class when every image gets the same answer.`,
        epochs: [refOf(first)],
        figures: { accuracy: acc, k, classes: K },
      },
      action:
        'Check the later epochs move away from it; if they do not, the head predicts one class: raise the learning rate or check the labels.',
    },
  ];
}

function collapse(input: DoctorInput): Finding[] {
  const fromTest = input.test ?? null;
  const last = input.epochs.at(-1);
  const confusion = fromTest?.confusion ?? last?.confusion;
  if (!confusion || confusion.length < 2) return [];
  const cols = columnTotals(confusion);
  const rows = rowTotals(confusion);
  const total = sum(cols);
  const top = cols.indexOf(Math.max(...cols));
  const share = total === 0 ? 0 : cols[top]! / total;
  const truth = total === 0 ? 0 : rows[top]! / total;
  if (share < COLLAPSE || truth >= COLLAPSE) return [];
  const name = input.classes[top] ?? `class ${top}`;
  const where = fromTest ? 'test' : `validation at ${epochName(last!)}`;
  return [
    {
      id: 'metric-sanity/collapse',
      severity: 'problem',
      title: `Predictions collapsed onto "${name}"`,
      evidence: {
        text: `On ${where}, ${cols[top]} of ${total} images (${formatPercent(share)}) are predicted "${name}", which is ${formatPercent(truth)} of the truth.`,
        epochs: fromTest || !last ? [] : [refOf(last)],
        figures: { predictedShare: share, trueShare: truth, collapsedClass: top },
      },
      action: 'Turn on balanced class weights and lower the learning rate; if the head never moved, raise it.',
    },
  ];
}

export function metricSanity(input: DoctorInput): Finding[] {
  return [...majority(input), ...firstEpoch(input), ...collapse(input)];
}
