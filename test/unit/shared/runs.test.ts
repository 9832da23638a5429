// How a cache build's rate and time left read in the CLI and on the run page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheRateText, RunsProgress } from '../../../src-shared/runs';

test('rate and time left in seconds, minutes or hours; nothing until both are known', () => {
  assert.equal(cacheRateText({}), '');
  assert.equal(cacheRateText({ etaS: 0 }), '');
  assert.equal(cacheRateText({ rate: 183.6, etaS: 41.2 }), '184 images/s, about 42 s left');
  assert.equal(cacheRateText({ rate: 95, etaS: 31 * 60 + 20 }), '95 images/s, about 31 min left');
  assert.equal(cacheRateText({ rate: 20, etaS: 10_000 }), '20 images/s, about 2.8 h left');
});

test('a features event from before the rate was sent still parses', () => {
  const old = { kind: 'features', runId: 1, phase: 1, split: 'train', done: 5, total: 10, fromCache: 0 };
  assert.deepEqual(RunsProgress.parse(old), old);
  assert.equal(RunsProgress.safeParse({ ...old, etaS: -1 }).success, false);
});
