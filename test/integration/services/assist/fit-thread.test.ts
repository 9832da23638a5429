// The assistant's fitting thread: a big fit leaves the main event loop free, a cancelled
// training gives way to the newer one and nothing of it lands, a failure in the thread
// reaches the caller as words, and the features' reduction there gives what it gives here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FitThread } from '../../../../src-main/services/assist/fit-thread';
import { top2 } from '../../../../src-main/services/assist/model/assistant';
import { reduceDims, weighBlocks } from '../../../../src-main/services/assist/model/reduce';
import { standardize } from '../../../../src-main/services/assist/model/standardize';
import { planted } from '../../../unit/services/assist/model/planted';
import { watchMainThread } from '../../../helpers/main-thread';

const n = 10_000;
const d = 128;
const k = 10;
const { x, labels: truth } = planted(n, d, k, 3);
const features = { x, d };
/** The first `labeled` rows labeled, class c given as (truth + shift) % k. */
const labelsOf = (labeled: number, shift = 0) => Int32Array.from(truth, (y, i) => (i < labeled ? (y + shift) % k : -1));

test('a training on 10,000 images runs in the thread: the main loop stays idle and keeps ticking', async () => {
  const thread = new FitThread();
  try {
    const fits: number[] = [];
    const {
      out,
      w: { busy: utilization, gapMs },
    } = await watchMainThread(
      () => thread.train(features, { labels: labelsOf(1000), k, seed: 1 }, { onFit: (done) => fits.push(done) }),
      10,
    );
    assert.equal(out.cv.n, 1000);
    assert.equal(out.probs.length, n * k);
    let right = 0;
    for (let i = 1000; i < n; i++) if (top2(out.probs, i, k).best === truth[i]) right++;
    assert.ok(right / (n - 1000) > 0.9, `${right} of ${n - 1000} unlabeled right`);
    assert.deepEqual(
      fits,
      Array.from({ length: 5 * 4 + 1 }, (_, i) => i + 1),
      'progress: 4 strengths x 5 folds, then the fit',
    );
    // On the main thread the same training keeps this near 1 (it only yields between iterations).
    assert.ok(utilization < 0.25, `main thread busy ${(100 * utilization).toFixed(0)} % of the training`);
    // Bound loose for a loaded 2-core box, where the OS alone delays a tick by up to ~90 ms.
    assert.ok(gapMs < 250, `the 10 ms tick stalled ${gapMs.toFixed(0)} ms`);
  } finally {
    thread.close();
  }
});

test('a cancelled training gives way to the newer one, and nothing of it lands', async () => {
  const thread = new FitThread();
  try {
    const ctrl = new AbortController();
    let lateProgress = 0;
    let aborted = false;
    const older = thread.train(
      features,
      { labels: labelsOf(2000), k, seed: 1 },
      {
        signal: ctrl.signal,
        onFit: () => {
          if (aborted) return void lateProgress++;
          aborted = true;
          ctrl.abort(new Error('superseded by a newer training'));
        },
      },
    );
    await assert.rejects(older, /superseded by a newer training/);
    // The newer labels name every class one further on: its predictions must follow them, not the older ones.
    const newer = await thread.train(features, { labels: labelsOf(500, 1), k, seed: 1 });
    let shifted = 0;
    for (let i = 500; i < n; i++) if (top2(newer.probs, i, k).best === (truth[i]! + 1) % k) shifted++;
    assert.ok(shifted / (n - 500) > 0.9, `${shifted} of ${n - 500} follow the newer labels`);
    assert.equal(newer.cv.n, 500);
    assert.equal(lateProgress, 0, 'no progress of the cancelled training arrived after the cancel');
  } finally {
    thread.close();
  }
});

test('a failure in the thread reaches the caller as words, and the thread serves the next training', async () => {
  const thread = new FitThread();
  try {
    const bad = thread.train(features, { labels: labelsOf(100), k, seed: 1, warm: new Float64Array(3) });
    await assert.rejects(bad, /softmax fit: a warm start of 3 values for 1290 parameters/);
    const good = await thread.train(features, { labels: labelsOf(100), k, seed: 1 });
    assert.equal(good.cv.n, 100);
  } finally {
    thread.close();
  }
});

test('closing the project ends a training under way with a message', async () => {
  const thread = new FitThread();
  const under = thread.train(features, { labels: labelsOf(2000), k, seed: 1 });
  thread.close();
  await assert.rejects(under, /the project was closed/);
});

test('the reduction in the thread gives the same components as here, and takes the raw block without a copy', async () => {
  const thread = new FitThread();
  try {
    const raw = planted(2000, 256, 4, 1, 7).x;
    // Two readout layers, 64 and 192 values wide: each weighed alike before the PCA.
    const standardized = standardize(raw, 256);
    weighBlocks(standardized, [64, 192]);
    const here = await reduceDims(standardized, 256, 32);
    const there = await thread.reduce(raw, [64, 192], 32);
    assert.equal(raw.byteLength, 0, 'the raw block moved to the thread');
    assert.equal(there.d, 32);
    assert.deepEqual(there.x, here.x);
    const ctrl = new AbortController();
    const cancelled = thread.reduce(planted(2000, 256, 4, 1, 8).x, [256], 32, ctrl.signal);
    ctrl.abort(new Error('cancelled'));
    await assert.rejects(cancelled, /cancelled/);
    // The thread serves a training after it, on features it is sent.
    const out = await thread.train(there, {
      labels: Int32Array.from({ length: 2000 }, (_, i) => i % 4),
      k: 4,
      seed: 1,
    });
    assert.equal(out.probs.length, 2000 * 4);
  } finally {
    thread.close();
  }
});
