// Label-error candidates in the UI: a Trouser image copied into the Bag folder of the tiny
// Fashion-MNIST slice is imported as a Bag; after a 3-fold run started from the launcher,
// the run page's "Suspected label errors" gallery lists it among the top candidates
// (Bag -> Trouser), a number key relabels it, and Ctrl+Z undoes that.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { e2eSetup, importThroughApi } from './harness';
import { writeTinyFixture } from './tiny-fixture';

describe('suspected label errors from a k-fold run', () => {
  let plantedHash: string;
  const s = e2eSetup({
    name: 'suspects',
    data: async (tmp) => {
      const data = join(tmp, 'fashion');
      await writeTinyFixture(data);
      // The same pixels re-encoded: a different file, so the import keeps it as its own image.
      const trousers = join(data, 'train', 'Trouser');
      const planted = join(data, 'train', 'Bag', 'planted-trouser.png');
      await sharp(join(trousers, readdirSync(trousers).sort()[0]!))
        .png({ compressionLevel: 0 })
        .toFile(planted);
      plantedHash = createHash('sha256').update(readFileSync(planted)).digest('hex');
    },
    prepare: (e2e) => importThroughApi(e2e, join(e2e.tmp, 'fashion')),
  });

  it('lists the planted image among the top candidates, relabels it with a number key, and undoes it', async () => {
    const images = await s.h().dataset.images({ filter: {}, offset: 0, limit: 2000 });
    const plantedId = images.items.find((i) => i.hash === plantedHash)!.id;
    assert.equal((await s.h().dataset.image({ id: plantedId })).className, 'Bag');

    await s.page.click('[data-testid=nav-train]');
    await s.page.selectOption('[data-testid=backbone]', 'nsfwjs_mobilenet_v2');
    await s.page.selectOption('[data-testid=input-size]', '96');
    await s.page.fill('[data-testid=p1-epochs]', '8');
    await s.page.fill('[data-testid=p1-lr]', '0.01');
    await s.page.check('[data-testid=kfold]');
    await s.page.fill('[data-testid=kfold-folds]', '3');
    await s.page.click('[data-testid=run-start]');
    await s.page.waitForSelector('[data-testid=run-view]');
    const runs = await s.h().runs.list({});
    assert.equal(runs.length, 3);
    await s.running.studio.idle();
    assert.deepEqual(
      (await s.h().runs.list({})).map((r) => r.status),
      ['done', 'done', 'done'],
    );

    await s.page.waitForSelector('[data-testid=suspects-tab]');
    await s.page.click('[data-testid=suspects-tab]');
    await s.page.waitForSelector('[data-testid=suspects] [data-testid=gallery-item]');
    const shown = await s.page
      .locator('[data-testid=gallery-item]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))));
    assert.ok(
      shown.slice(0, 3).includes(plantedId),
      `the planted image is among the top 3 candidates: ${shown.join(', ')} (planted ${plantedId})`,
    );
    const out = await s.h().runs.suspects({ runId: runs[0]!.id, group: false, rankBy: 'self-confidence', limit: 100 });
    assert.deepEqual(
      shown,
      out.items.map((x) => x.imageId),
      'the gallery shows the ranking in order',
    );
    const card = s.page.locator(`[data-testid=gallery-item][data-image-id="${plantedId}"]`);
    assert.match((await card.textContent()) ?? '', /Bag → Trouser/);

    const trouserKey = String(out.classes.indexOf('Trouser') + 1);
    await card.focus();
    await s.page.keyboard.press(trouserKey);
    await s.page.waitForSelector(`[data-testid=gallery-item][data-image-id="${plantedId}"][data-label="Trouser"]`);
    assert.equal((await s.h().dataset.image({ id: plantedId })).className, 'Trouser');
    await s.page.keyboard.press('Control+z');
    await s.page.waitForSelector(`[data-testid=gallery-item][data-image-id="${plantedId}"][data-label="Bag"]`);
    assert.equal((await s.h().dataset.image({ id: plantedId })).className, 'Bag');
    assert.deepEqual(s.errors, []);
  });
});
