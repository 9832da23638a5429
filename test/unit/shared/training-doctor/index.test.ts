import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Finding, countFindings, diagnose, worstSeverity } from '../../../../src-shared/training-doctor';
import { history, input } from './history';

test('a healthy run on large sets gets only the informational noise floor', () => {
  const found = diagnose(input({ splitSizes: { train: 20000, val: 5000, test: 5000 }, featureShape: [3, 3, 1280] }));
  assert.deepEqual(
    found.map((f) => f.id),
    ['noise-floor'],
  );
  assert.deepEqual(countFindings(found), { info: 1, warning: 0, problem: 0 });
  assert.equal(worstSeverity(countFindings(found)), 'info');
});

test('findings come worst first, each one valid against the schema', () => {
  const epochs = history(1, [{ trainLoss: 1.1, trainAcc: 0.36, valLoss: 1.1, valAcc: 0.33 }]);
  const found = diagnose(
    input({ epochs, splitSizes: { train: 60, val: 20, test: 20 }, leakage: { clusters: 1, images: 2 } }),
  );
  for (const f of found) Finding.parse(JSON.parse(JSON.stringify(f)));
  const ranks = found.map((f) => ['problem', 'warning', 'info'].indexOf(f.severity));
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => a - b),
  );
  assert.ok(found.some((f) => f.id === 'underfitting'));
  assert.ok(found.some((f) => f.id === 'leakage'));
  assert.equal(worstSeverity(countFindings(found)), 'problem');
  assert.equal(worstSeverity(countFindings([])), null);
});
