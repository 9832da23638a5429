// The cache build's rate and time left, on an injected clock: only computed values count,
// the rate follows the last 30 s, later splits count as still to compute, events are
// throttled except a split's first and last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildProgress } from '../../../../src-training/data/build-progress';

function clocked(sizes: { train: number; val?: number; test?: number }) {
  let t = 0;
  const progress = new BuildProgress(sizes, () => t);
  return { progress, at: (ms: number) => void (t = ms) };
}

test('no rate before a second of computing; then values per second and the time left over every split', () => {
  const { progress, at } = clocked({ train: 1000, val: 200 });
  assert.deepEqual(progress.update({ split: 'train', done: 0, total: 1000, fromCache: 0 }), {});
  at(5000); // opening the runtime: not part of the rate
  assert.deepEqual(progress.update({ split: 'train', done: 16, total: 1000, fromCache: 0 }), {});
  at(7000);
  // 96 values in 2 s since the first computed batch: 48/s; 1000 - 112 + 200 left.
  assert.deepEqual(progress.update({ split: 'train', done: 112, total: 1000, fromCache: 0 }), {
    rate: 48,
    etaS: 1088 / 48,
  });
});

test('cache hits are not speed: a resumed build reports what it computes', () => {
  const { progress, at } = clocked({ train: 1000 });
  assert.deepEqual(progress.update({ split: 'train', done: 600, total: 1000, fromCache: 600 }), {});
  at(1000);
  progress.update({ split: 'train', done: 610, total: 1000, fromCache: 600 });
  at(3000);
  assert.deepEqual(progress.update({ split: 'train', done: 630, total: 1000, fromCache: 600 }), { rate: 10, etaS: 37 });
});

test('the rate is taken over the last 30 s, so it follows a machine that slows down', () => {
  const { progress, at } = clocked({ train: 100_000 });
  let done = 0;
  for (let s = 1; s <= 60; s++) {
    at(s * 1000);
    done += 100;
    progress.update({ split: 'train', done, total: 100_000, fromCache: 0 });
  }
  for (let s = 61; s <= 100; s++) {
    at(s * 1000);
    done += 10;
    const r = progress.update({ split: 'train', done, total: 100_000, fromCache: 0 });
    if (s === 100) assert.deepEqual(r, { rate: 10, etaS: (100_000 - done) / 10 });
  }
});

test('events come at most every 250 ms, but a split start and end always go out', () => {
  const { progress, at } = clocked({ train: 64, val: 16 });
  const sent: number[] = [];
  const send = (split: 'train' | 'val', done: number, total: number, ms: number) => {
    at(ms);
    if (progress.update({ split, done, total, fromCache: 0 })) sent.push(done);
  };
  send('train', 0, 64, 0);
  send('train', 16, 64, 100);
  send('train', 32, 64, 200);
  send('train', 48, 64, 300);
  send('train', 64, 64, 350);
  send('val', 0, 16, 360);
  send('val', 16, 16, 1400);
  assert.deepEqual(sent, [0, 48, 64, 0, 16]);
  at(1400);
  assert.deepEqual(progress.update({ split: 'val', done: 16, total: 16, fromCache: 0 }), { rate: 64 / 1.3, etaS: 0 });
});
