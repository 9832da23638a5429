// Label-error candidates in the UI: a Trouser image copied into the Bag folder of the tiny
// Fashion-MNIST slice is imported as a Bag; after a 3-fold run started from the launcher,
// the run page's "Suspected label errors" gallery lists it among the top candidates
// (Bag -> Trouser), a number key relabels it, and Ctrl+Z undoes that.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { startStudio, type RunningStudio, openUi, closeAll } from './harness';
import { writeTinyFixture } from './tiny-fixture';

describe('suspected label errors from a k-fold run', () => {
  let tmp: string;
  let running: RunningStudio;
  let browser: Browser;
  let page: Page;
  let plantedHash: string;
  const pageErrors: string[] = [];
  const h = () => running.studio.handlers();

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-suspects-'));
    const data = join(tmp, 'fashion');
    await writeTinyFixture(data);
    // The same pixels re-encoded: a different file, so the import keeps it as its own image.
    const trousers = join(data, 'train', 'Trouser');
    const planted = join(data, 'train', 'Bag', 'planted-trouser.png');
    await sharp(join(trousers, readdirSync(trousers).sort()[0]!))
      .png({ compressionLevel: 0 })
      .toFile(planted);
    plantedHash = createHash('sha256').update(readFileSync(planted)).digest('hex');
    running = await startStudio({ projectDir: join(tmp, 'project'), create: true });
    await h().folders.pick({ path: data });
    await h().imports.start({ folder: data });
    await running.studio.idle();
    ({ browser, page } = await openUi(running.url, pageErrors));
  });

  after(async () => {
    await closeAll(browser, running, tmp);
  });

  it('lists the planted image among the top candidates, relabels it with a number key, and undoes it', async () => {
    const images = await h().dataset.images({ filter: {}, offset: 0, limit: 2000 });
    const plantedId = images.items.find((i) => i.hash === plantedHash)!.id;
    assert.equal((await h().dataset.image({ id: plantedId })).className, 'Bag');

    await page.click('[data-testid=nav-train]');
    await page.selectOption('[data-testid=backbone]', 'nsfwjs_mobilenet_v2');
    await page.selectOption('[data-testid=input-size]', '96');
    await page.fill('[data-testid=p1-epochs]', '8');
    await page.fill('[data-testid=p1-lr]', '0.01');
    await page.check('[data-testid=kfold]');
    await page.fill('[data-testid=kfold-folds]', '3');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-view]');
    const runs = await h().runs.list({});
    assert.equal(runs.length, 3);
    await running.studio.idle();
    assert.deepEqual(
      (await h().runs.list({})).map((r) => r.status),
      ['done', 'done', 'done'],
    );

    await page.waitForSelector('[data-testid=suspects-tab]');
    await page.click('[data-testid=suspects-tab]');
    await page.waitForSelector('[data-testid=suspects] [data-testid=gallery-item]');
    const shown = await page
      .locator('[data-testid=gallery-item]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))));
    assert.ok(
      shown.slice(0, 3).includes(plantedId),
      `the planted image is among the top 3 candidates: ${shown.join(', ')} (planted ${plantedId})`,
    );
    const out = await h().runs.suspects({ runId: runs[0]!.id, group: false, rankBy: 'self-confidence', limit: 100 });
    assert.deepEqual(
      shown,
      out.items.map((x) => x.imageId),
      'the gallery shows the ranking in order',
    );
    const card = page.locator(`[data-testid=gallery-item][data-image-id="${plantedId}"]`);
    assert.match((await card.textContent()) ?? '', /Bag → Trouser/);

    const trouserKey = String(out.classes.indexOf('Trouser') + 1);
    await card.focus();
    await page.keyboard.press(trouserKey);
    await page.waitForSelector(`[data-testid=gallery-item][data-image-id="${plantedId}"][data-label="Trouser"]`);
    assert.equal((await h().dataset.image({ id: plantedId })).className, 'Trouser');
    await page.keyboard.press('Control+z');
    await page.waitForSelector(`[data-testid=gallery-item][data-image-id="${plantedId}"][data-label="Bag"]`);
    assert.equal((await h().dataset.image({ id: plantedId })).className, 'Bag');
    assert.deepEqual(pageErrors, []);
  });
});
