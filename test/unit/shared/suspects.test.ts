import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classThresholds, findLabelSuspects } from '../../../src-shared/suspects';
import type { OutOfFold } from '../../../src-shared/suspects';
import { paretoFront } from '../../../src-shared/bakeoff';

// Three classes; the model is sure of most images. Image 9 is labelled 0 but looks like class 2;
// image 10 is labelled 1 and is merely unsure (no other class reaches its threshold).
const rows: OutOfFold[] = [
  { imageId: 1, given: 0, probs: [0.9, 0.05, 0.05] },
  { imageId: 2, given: 0, probs: [0.8, 0.1, 0.1] },
  { imageId: 3, given: 0, probs: [0.85, 0.1, 0.05] },
  { imageId: 4, given: 1, probs: [0.1, 0.8, 0.1] },
  { imageId: 5, given: 1, probs: [0.05, 0.9, 0.05] },
  { imageId: 6, given: 2, probs: [0.05, 0.05, 0.9] },
  { imageId: 7, given: 2, probs: [0.1, 0.1, 0.8] },
  { imageId: 8, given: 2, probs: [0.2, 0.1, 0.7] },
  { imageId: 9, given: 0, probs: [0.05, 0.05, 0.9] },
  { imageId: 10, given: 1, probs: [0.3, 0.4, 0.3] },
];

test('thresholds: the mean self-confidence of each class, null for a class without images', () => {
  const t = classThresholds(rows, 3);
  assert.ok(Math.abs(t[0]! - (0.9 + 0.8 + 0.85 + 0.05) / 4) < 1e-12);
  assert.ok(Math.abs(t[1]! - (0.8 + 0.9 + 0.4) / 3) < 1e-12);
  assert.ok(Math.abs(t[2]! - 0.8) < 1e-12);
  assert.deepEqual(
    classThresholds(
      rows.filter((r) => r.given !== 1),
      3,
    )[1],
    null,
  );
});

test('a confidently other-class image is a candidate with that class suggested; an unsure one is not', () => {
  const s = findLabelSuspects(rows, 3);
  assert.deepEqual(
    s.map((x) => x.imageId),
    [9],
  );
  assert.equal(s[0]!.suggested, 2);
  assert.equal(s[0]!.selfConfidence, 0.05);
  assert.ok(Math.abs(s[0]!.margin - (0.05 - 0.9)) < 1e-12);
});

test('an image whose given label reaches its threshold is never a candidate, whatever else is high', () => {
  // Image 3 labelled 0 gives class 0 0.85 >= t0 (0.65): fine even with class 1 at its threshold.
  const withHighOther = rows.map((r) => (r.imageId === 3 ? { ...r, probs: [0.85, 0.75, 0] } : r));
  assert.ok(!findLabelSuspects(withHighOther, 3).some((s) => s.imageId === 3));
});

test('ranking by self-confidence and by margin order the candidates differently', () => {
  const two: OutOfFold[] = [
    ...rows.slice(0, 8),
    // t2 = 0.8. 20: p(given) 0.10, class 2 at 0.9 -> margin -0.8. 21: p(given) 0.05, class 2 at 0.81 -> margin -0.76.
    { imageId: 20, given: 0, probs: [0.1, 0, 0.9] },
    { imageId: 21, given: 0, probs: [0.05, 0.14, 0.81] },
  ];
  const bySelf = findLabelSuspects(two, 3, 'self-confidence').map((s) => s.imageId);
  const byMargin = findLabelSuspects(two, 3, 'margin').map((s) => s.imageId);
  assert.deepEqual(bySelf, [21, 20]);
  assert.deepEqual(byMargin, [20, 21]);
});

test('the suggested class is the most probable among those reaching their threshold', () => {
  // t1 = 0.85 (images 4, 5 only), t2 = 0.8: for image 30 class 1 (0.5) misses its threshold, class 2 is not reached either.
  const base = rows.filter((r) => r.imageId <= 8);
  assert.deepEqual(
    findLabelSuspects([...base, { imageId: 30, given: 0, probs: [0.1, 0.5, 0.4] }], 3).map((s) => s.imageId),
    [],
  );
  const s = findLabelSuspects([...base, { imageId: 31, given: 0, probs: [0.02, 0.88, 0.1] }], 3);
  assert.deepEqual(
    s.map((x) => [x.imageId, x.suggested]),
    [[31, 1]],
  );
});

test('probabilities that do not fit the class count are refused', () => {
  assert.throws(() => findLabelSuspects([{ imageId: 1, given: 0, probs: [1, 0] }], 3), /2 probabilities/);
  assert.throws(() => findLabelSuspects([{ imageId: 1, given: 3, probs: [1, 0, 0] }], 3), /label 3/);
});

test('pareto front: the points no other point beats on both accuracy and latency', () => {
  const pts = [
    { accuracy: 0.9, latency: 30 }, // front: most accurate
    { accuracy: 0.8, latency: 10 }, // front: fastest
    { accuracy: 0.8, latency: 20 }, // dominated by the second
    { accuracy: 0.85, latency: 15 }, // front
    { accuracy: 0.9, latency: 40 }, // dominated by the first
  ];
  assert.deepEqual([...paretoFront(pts)].sort(), [0, 1, 3]);
  assert.deepEqual(
    [
      ...paretoFront([
        { accuracy: 0.5, latency: 5 },
        { accuracy: 0.5, latency: 5 },
      ]),
    ],
    [0, 1],
  );
});
