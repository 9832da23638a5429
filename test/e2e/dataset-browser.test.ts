// Drives the real UI in Chromium through the real server: import a Fashion-MNIST slice,
// then check the grid, counts, filters, scrolling, the viewer and the Problems view
// against the files on disk. Every wait is for something the UI shows, never a sleep.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildFixture, type Expected } from './fixture';
import { launchBrowser, openPage, startStudio, type RunningStudio } from './harness';

const PER_CLASS = 20;
const SCREENSHOTS = join(import.meta.dirname, '../../test-results');

describe('dataset browser on a Fashion-MNIST import', () => {
  let tmp: string;
  let data: string;
  let expected: Expected;
  let studio: RunningStudio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const total = (n: number) => page.waitForSelector(`[data-testid=total-count][data-total="${n}"]`);
  const classItem = (name: string) => page.locator(`[data-testid=class-item][data-class-name="${name}"]`);

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
    data = join(tmp, 'fashion');
    expected = await buildFixture(data, PER_CLASS);
    studio = await startStudio({ projectDir: join(tmp, 'project'), create: true });
    browser = await launchBrowser();
    page = await openPage(browser, studio.url, pageErrors);
  });

  after(async () => {
    await browser?.close();
    await studio?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('opens straight into the project the server was started with', async () => {
    await page.waitForSelector('[data-testid=project-name]');
    await page.waitForSelector('[data-testid=grid-empty]');
  });

  it('imports a folder through the UI and shows when it has finished', async () => {
    await page.click('[data-testid=import-open]');
    await page.fill('[data-testid=import-folder]', data);
    await page.click('[data-testid=import-start]');
    await page.waitForSelector('[data-testid=import-progress]');
    await page.waitForSelector('[data-testid=import-progress][data-status=done]', { timeout: 90_000 });
    assert.equal(await page.textContent('[data-testid=import-imported]'), String(expected.total));
    assert.equal(
      (await page.textContent('[data-testid=import-problems]'))?.trim(),
      String(Object.keys(expected.problems).length),
    );
  });

  it('shows the total and each class count of the imported data', async () => {
    await total(expected.total);
    for (const [name, count] of Object.entries(expected.perClass)) {
      await classItem(name).waitFor();
      assert.equal(
        await classItem(name).locator('[data-testid=class-count]').getAttribute('data-count'),
        String(count),
        name,
      );
    }
    assert.equal(await page.textContent('[data-testid=unlabeled-count]'), String(expected.unlabeled));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dataset.png') });
  });

  it('filters by class, split and unlabeled', async () => {
    const cls = 'Trouser';
    await classItem(cls).click();
    await total(expected.perClass[cls]);
    const ids = await page.locator('[data-testid=grid-cell][data-image-id]').count();
    assert.equal(ids, expected.perClass[cls], 'every image of the class fits on screen and is drawn');

    await page.selectOption('[data-testid=filter-split]', 'test');
    await total(expected.perClassSplit[cls].test);
    await page.selectOption('[data-testid=filter-class]', '');
    await total(expected.perSplit.test);
    await page.selectOption('[data-testid=filter-split]', 'val');
    await total(expected.perSplit.val);

    await page.selectOption('[data-testid=filter-split]', 'any');
    await page.check('[data-testid=filter-unlabeled]');
    await total(expected.unlabeled);
    await page.selectOption('[data-testid=filter-split]', 'none');
    await total(expected.perSplit.none);

    await page.click('[data-testid=filter-clear]');
    await total(expected.total);
  });

  it('draws new cells as the grid scrolls, and only those near the view', async () => {
    const last = expected.total - 1;
    assert.equal(
      await page.locator(`[data-testid=grid-cell][data-index="${last}"]`).count(),
      0,
      'the last cell is not drawn yet',
    );
    await page.$eval('[data-testid=grid]', (grid) => grid.scrollTo({ top: grid.scrollHeight }));
    await page.waitForSelector(`[data-testid=grid-cell][data-index="${last}"][data-image-id]`);
    assert.equal(await page.locator('[data-testid=grid-cell][data-index="0"]').count(), 0, 'the first cell is gone');
    assert.ok((await page.locator('[data-testid=grid-cell]').count()) < expected.total, 'the grid is virtualized');
    await page.$eval('[data-testid=grid]', (grid) => grid.scrollTo({ top: 0 }));
    await page.waitForSelector('[data-testid=grid-cell][data-index="0"][data-image-id]');
  });

  it('moves the selection with the keyboard and opens the viewer with the path and hash', async () => {
    await page.click('[data-testid=grid-cell][data-index="0"]');
    const columns = Number(await page.getAttribute('[data-testid=grid]', 'data-columns'));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const index = 1 + columns;
    const cell = page.locator(`[data-testid=grid-cell][data-index="${index}"]`);
    assert.equal(await cell.getAttribute('aria-selected'), 'true');
    const id = await cell.getAttribute('data-image-id');

    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-testid=viewer][data-image-id="${id}"]`);
    const path = (await page.textContent('[data-testid=viewer-path]'))!.trim();
    const hash = (await page.textContent('[data-testid=viewer-hash]'))!.trim();
    assert.ok(path in expected.hashes, `the viewer shows a file that was imported: ${path}`);
    assert.equal(hash, expected.hashes[path]);
    await page.screenshot({ path: join(SCREENSHOTS, 'viewer.png') });

    // With the viewer open, the arrow keys page through the images.
    await page.keyboard.press('ArrowRight');
    const nextId = await page.getAttribute(`[data-testid=grid-cell][data-index="${index + 1}"]`, 'data-image-id');
    await page.waitForSelector(`[data-testid=viewer][data-image-id="${nextId}"]`);

    // "As the model sees it": the engine's decode at the launcher's input size, following the viewer.
    const toggle = page.getByTestId('viewer-model-toggle');
    await toggle.check();
    const size = Number(
      /\((\d+) px\)/.exec((await page.textContent('label:has([data-testid=viewer-model-toggle])'))!)![1],
    );
    assert.equal(size, 224, 'the launcher has chosen no backbone: the default input size');
    const modelImage = async (imageId: string | null) => {
      const img = await page.waitForSelector(`[data-testid=viewer-model-image][data-image-id="${imageId}"]`);
      await page.waitForFunction(
        (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
        img,
      );
      return img.evaluate((el) => [(el as HTMLImageElement).naturalWidth, (el as HTMLImageElement).naturalHeight]);
    };
    assert.deepEqual(
      await modelImage(nextId),
      [size, size],
      'a 28 px Fashion-MNIST image, stretched as the engine stretches it',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'viewer-model.png') });
    await page.click(`[data-testid=grid-cell][data-index="${index + 2}"]`);
    const thirdId = await page.getAttribute(`[data-testid=grid-cell][data-index="${index + 2}"]`, 'data-image-id');
    assert.deepEqual(await modelImage(thirdId), [size, size], 'the model view follows the viewer');
    await toggle.uncheck();
    await page.waitForSelector('[data-testid=viewer-image]');

    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=viewer]', { state: 'detached' });
  });

  it('lists the planted bad files, with their kinds, in the Problems view', async () => {
    await page.click('[data-testid=nav-problems]');
    const planted = Object.entries(expected.problems);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=problems-row]').length === n,
      planted.length,
    );
    const rows = await page.$$eval('[data-testid=problems-row]', (trs) =>
      trs.map((tr) => [
        tr.querySelector('[data-testid=problems-path]')!.textContent!.trim(),
        tr.getAttribute('data-kind'),
      ]),
    );
    assert.deepEqual(Object.fromEntries(rows), expected.problems);
    await page.screenshot({ path: join(SCREENSHOTS, 'problems.png') });
  });

  it('closes the project, explains a bad folder, and creates a new project', async () => {
    await page.click('[data-testid=project-close]');
    await page.waitForSelector('[data-testid=project-screen]');
    const fresh = join(tmp, 'second-project');
    await page.fill('[data-testid=project-path]', fresh);
    await page.click('[data-testid=project-open]');
    const error = await page.waitForSelector('[data-testid=project-error]');
    assert.ok(((await error.textContent()) ?? '').length > 10, 'the error says what is wrong');
    await page.click('[data-testid=project-create]');
    await page.waitForSelector('[data-testid=project-name]:has-text("second-project")');
    await page.waitForSelector('[data-testid=grid-empty]');
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
