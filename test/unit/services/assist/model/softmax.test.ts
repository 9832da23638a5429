import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitSoftmax, lossAndGradient, predictProbs } from '../../../../../src-main/services/assist/model/softmax';
import { allRows, planted } from './planted';

test('the fit recovers separable planted classes and reaches a stationary point', async () => {
  const { x, labels } = planted(300, 16, 3, 0.5);
  const input = { features: { x, d: 16 }, rows: allRows(300), labels, k: 3, lambda: 0.01 };
  const model = await fitSoftmax(input);
  assert.ok(model.converged, `converged in ${model.iterations} iterations`);
  const probs = predictProbs(model, input.features);
  let right = 0;
  for (let i = 0; i < 300; i++) {
    const row = Array.from(probs.subarray(i * 3, i * 3 + 3));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'each row is a distribution');
    if (row.indexOf(Math.max(...row)) === labels[i]) right++;
  }
  assert.equal(right, 300);
  const grad = new Float64Array(model.theta.length);
  lossAndGradient(input, model.theta, grad);
  assert.ok(Math.max(...grad.map(Math.abs)) < 1e-4, 'the gradient vanishes at the solution');
});

test('the gradient matches finite differences of the loss', () => {
  const { x, labels } = planted(20, 4, 3, 1, 7);
  const input = { features: { x, d: 4 }, rows: allRows(20), labels, k: 3, lambda: 0.3 };
  const theta = Float64Array.from({ length: 15 }, (_, i) => Math.sin(i));
  const grad = new Float64Array(15);
  lossAndGradient(input, theta, grad);
  for (const i of [0, 5, 11, 14]) {
    const h = 1e-6;
    const up = Float64Array.from(theta);
    const down = Float64Array.from(theta);
    up[i]! += h;
    down[i]! -= h;
    const numeric =
      (lossAndGradient(input, up, new Float64Array(15)) - lossAndGradient(input, down, new Float64Array(15))) / (2 * h);
    assert.ok(Math.abs(numeric - grad[i]!) < 1e-6, `parameter ${i}: ${numeric} vs ${grad[i]}`);
  }
});

test('a stronger penalty shrinks the weights; a warm start from the solution needs no more iterations', async () => {
  const { x, labels } = planted(200, 8, 4, 1.5);
  const base = { features: { x, d: 8 }, rows: allRows(200), labels, k: 4 };
  const weak = await fitSoftmax({ ...base, lambda: 0.001 });
  const strong = await fitSoftmax({ ...base, lambda: 1 });
  const norm = (t: Float64Array) => t.subarray(0, 32).reduce((s, v) => s + v * v, 0);
  assert.ok(norm(strong.theta) < norm(weak.theta) / 10, `${norm(strong.theta)} vs ${norm(weak.theta)}`);
  const again = await fitSoftmax({ ...base, lambda: 0.001, init: weak.theta });
  assert.ok(again.iterations <= 1, `warm start took ${again.iterations} iterations`);
  await assert.rejects(
    fitSoftmax({ ...base, lambda: 1, init: new Float64Array(3) }),
    /warm start of 3 values for 36 parameters/,
  );
});

test('a cancelled fit stops with the signal', async () => {
  const { x, labels } = planted(200, 8, 4, 1.5);
  const ctrl = new AbortController();
  ctrl.abort(new Error('labels changed'));
  await assert.rejects(
    fitSoftmax({ features: { x, d: 8 }, rows: allRows(200), labels, k: 4, lambda: 0.01 }, { signal: ctrl.signal }),
    /labels changed/,
  );
});
