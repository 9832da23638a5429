import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossValidate, stratifiedFolds } from '../../../../../src-main/services/assist/model/cross-validate';
import { seededRandom } from '../../../../../src-shared/random';
import { allRows, gaussian, planted } from './planted';

test('stratified folds hold each class evenly', () => {
  const labels = Int32Array.from({ length: 50 }, (_, i) => (i < 30 ? 0 : 1));
  const fold = stratifiedFolds(labels, 2, 5, 3);
  for (let f = 0; f < 5; f++) {
    const inFold = [...fold.keys()].filter((i) => fold[i] === f);
    assert.equal(inFold.length, 10);
    assert.equal(inFold.filter((i) => labels[i] === 0).length, 6);
  }
});

test('on features that carry no signal, cross-validation picks the strongest penalty', async () => {
  const rand = seededRandom(5);
  const n = 120;
  const d = 60;
  const x = Float32Array.from({ length: n * d }, () => gaussian(rand));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const cv = await crossValidate({ features: { x, d }, rows: allRows(n), labels, k: 2, folds: 4, seed: 1 });
  assert.equal(cv.lambda, 1, JSON.stringify(cv.scores));
  assert.ok(cv.correct / cv.n < 0.7, `chance-level accuracy: ${cv.correct}/${cv.n}`);
});

test('on separable classes it picks a weak penalty and its out-of-fold accuracy is high', async () => {
  const { x, labels } = planted(150, 20, 3, 0.8);
  const cv = await crossValidate({ features: { x, d: 20 }, rows: allRows(150), labels, k: 3, folds: 5, seed: 1 });
  assert.ok(cv.lambda <= 0.01, JSON.stringify(cv.scores));
  assert.ok(cv.correct >= 147, `${cv.correct}/${cv.n}`);
  assert.equal(cv.oof.length, 150 * 3);
  const rowSums = Array.from({ length: 150 }, (_, i) => cv.oof[i * 3]! + cv.oof[i * 3 + 1]! + cv.oof[i * 3 + 2]!);
  assert.ok(
    rowSums.every((s) => Math.abs(s - 1) < 1e-5),
    'every labeled row has its out-of-fold prediction',
  );
});
