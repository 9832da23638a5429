import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracy,
  confusionMatrix,
  macroF1,
  meanStd,
  perClassMetrics,
  wilsonInterval,
} from '../../../src-shared/engine-metrics';
import { LrSchedule, lrAt } from '../../../src-shared/engine-schedule';
import { balancedClassWeights } from '../../../src-training/data/batches';

test('per-class precision, recall, F1 and macro F1 match a hand count', () => {
  const m = confusionMatrix([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3);
  assert.deepEqual(m, [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  const per = perClassMetrics(m);
  assert.deepEqual(
    per.map((c) => c.support),
    [3, 2, 1],
  );
  assert.equal(per[0]!.precision, 1);
  assert.equal(per[0]!.recall, 2 / 3);
  assert.equal(per[1]!.precision, 0.5);
  assert.equal(per[2]!.f1, 2 / 3);
  assert.ok(Math.abs(macroF1(per) - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12);
  assert.equal(accuracy(m), 4 / 6);
  // A class never predicted scores 0, not NaN.
  assert.equal(perClassMetrics(confusionMatrix([0, 1], [0, 0], 2))[1]!.precision, 0);
  assert.deepEqual(meanStd([1, 3]), { mean: 2, std: Math.SQRT2 });
});

test('learning-rate schedules', () => {
  const c = (step: number) => ({ step, stepsPerEpoch: 10, epochs: 10 });
  assert.equal(lrAt(LrSchedule.parse({ kind: 'constant' }), 0.1, c(57)), 0.1);
  const step = LrSchedule.parse({ kind: 'step', everyEpochs: 3, factor: 0.5 });
  assert.equal(lrAt(step, 0.1, c(29)), 0.1);
  assert.equal(lrAt(step, 0.1, c(30)), 0.05);
  assert.equal(lrAt(step, 0.1, c(60)), 0.025);
  const cos = LrSchedule.parse({ kind: 'cosine', minFactor: 0.1 });
  assert.equal(lrAt(cos, 1, c(0)), 1);
  assert.ok(Math.abs(lrAt(cos, 1, c(50)) - 0.55) < 1e-12);
  assert.ok(Math.abs(lrAt(cos, 1, c(100)) - 0.1) < 1e-12);
  const warm = LrSchedule.parse({ kind: 'cosine', warmupEpochs: 1 });
  assert.equal(lrAt(warm, 1, c(0)), 0.1);
  assert.equal(lrAt(warm, 1, c(9)), 1);
  assert.equal(lrAt(warm, 1, c(10)), 1);
});

test("balanced class weights follow sklearn's n / (classes * count)", () => {
  assert.deepEqual(balancedClassWeights([0, 0, 0, 1], 2), [4 / 6, 2]);
  assert.deepEqual(balancedClassWeights([0, 0], 3), [1 / 3, 0, 0]);
});

test('Wilson 95 % intervals: 144 of 180 spans about 73.6-85.2 %; the ends stay inside [0, 1] and narrow with n', () => {
  const mid = wilsonInterval(144, 180);
  assert.ok(Math.abs(mid.low - 0.7356) < 5e-4 && Math.abs(mid.high - 0.8519) < 5e-4, JSON.stringify(mid));
  const all = wilsonInterval(20, 20);
  assert.equal(all.high, 1);
  assert.ok(all.low > 0.83 && all.low < 0.84, JSON.stringify(all));
  assert.equal(wilsonInterval(0, 10).low, 0);
  const wide = wilsonInterval(8, 10);
  const narrow = wilsonInterval(800, 1000);
  assert.ok(narrow.high - narrow.low < (wide.high - wide.low) / 5);
  assert.deepEqual(wilsonInterval(0, 0), { low: 0, high: 1 });
});
