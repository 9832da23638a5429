// The import as a background job: progress events, cancelling, and refusing a second start.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StudioError } from '../../../src-shared/errors';
import { makeImage, writeTree } from '../../fixtures/images';
import { count, importer, tempDir, thumbFiles } from './helpers';

const base = tempDir('background');
const data = join(base, 'data');
const N = 240;
after(() => rmSync(base, { recursive: true, force: true }));

before(async () => {
  const tree: Record<string, Buffer> = {};
  for (let i = 0; i < N; i++)
    tree[`c${i % 4}/${String(i).padStart(4, '0')}.jpg`] = await makeImage(1000 + i, 'jpeg', 96, 72);
  writeTree(data, tree);
});

describe('progress events', () => {
  test('go scanning, importing, finished, with done rising to total and at most ~10 a second', async () => {
    const imp = importer(join(base, 'progress-project'));
    try {
      const started = Date.now();
      const final = await imp.run(data);
      const seconds = (Date.now() - started) / 1000;
      const phases = imp.events.map((e) => e.phase);
      assert.equal(phases[0], 'scanning');
      assert.ok(phases.includes('importing'));
      assert.equal(phases.at(-1), 'finished');
      assert.equal(phases.filter((p) => p === 'finished').length, 1);
      assert.deepEqual(
        [...phases].sort(
          (a, b) => ['scanning', 'importing', 'finished'].indexOf(a) - ['scanning', 'importing', 'finished'].indexOf(b),
        ),
        phases,
      );
      for (let i = 1; i < imp.events.length; i++)
        assert.ok(imp.events[i].done >= imp.events[i - 1].done, 'done never goes back');
      assert.ok(imp.events.length <= seconds * 10 + 5, `${imp.events.length} events in ${seconds.toFixed(2)} s`);
      assert.equal(final.status, 'done');
      assert.equal(final.done, N);
      assert.equal(final.total, N);
      assert.equal(final.etaSeconds, 0);
      assert.ok(final.imagesPerSecond > 0);
      assert.deepEqual(
        imp.service.list().map((r) => [r.status, r.total, r.done]),
        [['done', N, N]],
      );
    } finally {
      imp.project.close();
    }
  });
});

describe('cancelling and starting twice', () => {
  test('a second start while one runs is refused as busy', async () => {
    const imp = importer(join(base, 'busy-project'));
    try {
      imp.service.start({ folder: data });
      assert.throws(
        () => imp.service.start({ folder: data }),
        (e: unknown) => e instanceof StudioError && e.code === 'busy' && e.message.includes(data),
      );
      await imp.service.idle();
      assert.doesNotThrow(() => imp.service.start({ folder: data }), 'free again once it finished');
      await imp.service.idle();
    } finally {
      imp.project.close();
    }
  });

  test('cancel stops promptly, keeps what was committed, and importing again completes exactly', async () => {
    const imp = importer(join(base, 'cancel-project'), { concurrency: 1, batchSize: 8 });
    try {
      const { importId } = imp.service.start({ folder: data });
      let cancelledAt = 0;
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if ((imp.events.at(-1)?.done ?? 0) < 20) return;
          clearInterval(poll);
          cancelledAt = performance.now();
          imp.service.cancel({ importId });
          resolve();
        }, 1);
      });
      await imp.service.idle();
      assert.ok(performance.now() - cancelledAt < 1000, 'idle soon after cancel');
      const final = imp.events.at(-1)!;
      assert.equal(final.status, 'cancelled');
      assert.equal(final.phase, 'finished');
      assert.ok(final.done < N, `stopped early (${final.done} of ${N})`);
      assert.equal(imp.service.list()[0].status, 'cancelled');
      const committed = count(imp.project, 'SELECT count(*) AS n FROM images');
      assert.equal(committed, final.imported, 'every counted image was committed, none more');
      assert.equal(
        count(
          imp.project,
          'SELECT count(*) AS n FROM images i WHERE NOT EXISTS (SELECT 1 FROM image_paths p WHERE p.image_id = i.id)',
        ),
        0,
      );

      const again = await imp.run(data);
      assert.equal(again.status, 'done');
      assert.equal(again.imported, N - committed);
      assert.equal(again.skipped, committed);
      assert.equal(count(imp.project, 'SELECT count(*) AS n FROM images'), N);
      assert.equal(thumbFiles(imp.project).length, N);
      assert.throws(
        () => imp.service.cancel({ importId: 9999 }),
        (e: unknown) => e instanceof StudioError && e.code === 'not-found',
      );
      assert.doesNotThrow(() => imp.service.cancel({ importId }), 'cancelling a finished import is harmless');
    } finally {
      imp.project.close();
    }
  });
});
