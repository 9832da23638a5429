import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wilsonInterval } from '../../../../src-shared/engine-metrics';
import {
  accuracyInterval,
  cannotTellApart,
  formatInterval,
  noiseFloor,
} from '../../../../src-shared/training-doctor/noise-floor';
import { history, input } from './history';

const test80 = { loss: 0.5, accuracy: 143 / 179, macroF1: 0.8, perClass: [], confusion: [] };

test("the issue's 179 test images carry a wide interval: a warning with both intervals", () => {
  const epochs = history(1, [
    { trainLoss: 1, trainAcc: 0.6, valLoss: 1, valAcc: 0.7 },
    { trainLoss: 0.8, trainAcc: 0.7, valLoss: 0.9, valAcc: 0.8 },
  ]);
  const [f] = noiseFloor(input({ epochs, splitSizes: { train: 840, val: 180, test: 179 }, test: test80 }));
  const w = wilsonInterval(143, 179);
  assert.equal(f?.severity, 'warning');
  assert.equal(f!.evidence.figures.testLow, w.low);
  assert.equal(f!.evidence.figures.testHigh, w.high);
  assert.equal(f!.evidence.figures.valImages, 180);
  assert.equal(f!.evidence.figures.valAcc, 0.8, 'validation at the best epoch');
  assert.deepEqual(f!.evidence.epochs, [{ phase: 1, epoch: 1 }]);
  assert.ok(f!.evidence.figures.halfWidth! > 0.05 && f!.evidence.figures.halfWidth! < 0.07);
  const ci = `${(w.low * 100).toFixed(1)}-${(w.high * 100).toFixed(1)}`;
  assert.ok(f!.evidence.text.includes(`test 79.9 % (95 % CI ${ci}) on 179 images`), f!.evidence.text);
});

test('large sets give an informational finding; no sizes, no finding', () => {
  const epochs = history(1, [{ trainLoss: 1, trainAcc: 0.9, valLoss: 1, valAcc: 0.9 }]);
  const [f] = noiseFloor(input({ epochs, splitSizes: { train: 1e5, val: 20000, test: 20000 } }));
  assert.equal(f?.severity, 'info');
  assert.equal(f!.evidence.figures.testAcc, undefined, 'no test report, no test interval');
  assert.deepEqual(noiseFloor(input({ epochs, splitSizes: null })), []);
});

test('two runs whose intervals overlap cannot be told apart; far apart ones can', () => {
  const a = accuracyInterval(0.82, 179);
  assert.equal(cannotTellApart(a, accuracyInterval(0.78, 179)), true);
  assert.equal(cannotTellApart(a, accuracyInterval(0.6, 179)), false);
  assert.equal(cannotTellApart(accuracyInterval(0.82, 20000), accuracyInterval(0.78, 20000)), false);
  assert.ok(a.low < 0.82 && a.high > 0.82);
  assert.match(formatInterval(a), /^82\.0 % \(95 % CI \d+\.\d-\d+\.\d\)$/);
});
