// Drives the real UI in Chromium through the real server: import a Fashion-MNIST slice,
// then check the grid, counts, filters, scrolling, the viewer and the Problems view
// against the files on disk. Every wait is for something the UI shows, never a sleep.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildFixture, type Expected } from './fixture';
import { e2eSetup } from './harness';

const PER_CLASS = 20;
const SCREENSHOTS = join(import.meta.dirname, '../../test-results');

describe('dataset browser on a Fashion-MNIST import', () => {
  let expected: Expected;
  const s = e2eSetup({
    name: 'browser',
    data: async (tmp) => (expected = await buildFixture(join(tmp, 'fashion'), PER_CLASS)),
  });

  const total = (n: number) => s.page.waitForSelector(`[data-testid=total-count][data-total="${n}"]`);
  const classItem = (name: string) => s.page.locator(`[data-testid=class-item][data-class-name="${name}"]`);

  it('opens straight into the project the server was started with', async () => {
    await s.page.waitForSelector('[data-testid=project-name]');
    await s.page.waitForSelector('[data-testid=grid-empty]');
  });

  it('imports a folder through the UI and shows when it has finished', async () => {
    await s.page.click('[data-testid=import-open]');
    await s.page.fill('[data-testid=import-folder]', join(s.tmp, 'fashion'));
    await s.page.click('[data-testid=import-start]');
    await s.page.waitForSelector('[data-testid=import-progress]');
    await s.page.waitForSelector('[data-testid=import-progress][data-status=done]', { timeout: 90_000 });
    assert.equal(await s.page.textContent('[data-testid=import-imported]'), String(expected.total));
    assert.equal(
      (await s.page.textContent('[data-testid=import-problems]'))?.trim(),
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
    assert.equal(await s.page.textContent('[data-testid=unlabeled-count]'), String(expected.unlabeled));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await s.page.screenshot({ path: join(SCREENSHOTS, 'dataset.png') });
  });

  it('filters by class, split and unlabeled', async () => {
    const cls = 'Trouser';
    await classItem(cls).click();
    await total(expected.perClass[cls]);
    const ids = await s.page.locator('[data-testid=grid-cell][data-image-id]').count();
    assert.equal(ids, expected.perClass[cls], 'every image of the class fits on screen and is drawn');

    await s.page.selectOption('[data-testid=filter-split]', 'test');
    await total(expected.perClassSplit[cls].test);
    await s.page.selectOption('[data-testid=filter-class]', '');
    await total(expected.perSplit.test);
    await s.page.selectOption('[data-testid=filter-split]', 'val');
    await total(expected.perSplit.val);

    await s.page.selectOption('[data-testid=filter-split]', 'any');
    await s.page.check('[data-testid=filter-unlabeled]');
    await total(expected.unlabeled);
    await s.page.selectOption('[data-testid=filter-split]', 'none');
    await total(expected.perSplit.none);

    await s.page.click('[data-testid=filter-clear]');
    await total(expected.total);
  });

  it('draws new cells as the grid scrolls, and only those near the view', async () => {
    const last = expected.total - 1;
    assert.equal(
      await s.page.locator(`[data-testid=grid-cell][data-index="${last}"]`).count(),
      0,
      'the last cell is not drawn yet',
    );
    await s.page.$eval('[data-testid=grid]', (grid) => grid.scrollTo({ top: grid.scrollHeight }));
    await s.page.waitForSelector(`[data-testid=grid-cell][data-index="${last}"][data-image-id]`);
    assert.equal(await s.page.locator('[data-testid=grid-cell][data-index="0"]').count(), 0, 'the first cell is gone');
    assert.ok((await s.page.locator('[data-testid=grid-cell]').count()) < expected.total, 'the grid is virtualized');
    await s.page.$eval('[data-testid=grid]', (grid) => grid.scrollTo({ top: 0 }));
    await s.page.waitForSelector('[data-testid=grid-cell][data-index="0"][data-image-id]');
  });

  it('moves the selection with the keyboard and opens the viewer with the path and hash', async () => {
    await s.page.click('[data-testid=grid-cell][data-index="0"]');
    const columns = Number(await s.page.getAttribute('[data-testid=grid]', 'data-columns'));
    await s.page.keyboard.press('ArrowRight');
    await s.page.keyboard.press('ArrowDown');
    const index = 1 + columns;
    const cell = s.page.locator(`[data-testid=grid-cell][data-index="${index}"]`);
    assert.equal(await cell.getAttribute('aria-selected'), 'true');
    const id = await cell.getAttribute('data-image-id');

    await s.page.keyboard.press('Enter');
    await s.page.waitForSelector(`[data-testid=viewer][data-image-id="${id}"]`);
    const path = (await s.page.textContent('[data-testid=viewer-path]'))!.trim();
    const hash = (await s.page.textContent('[data-testid=viewer-hash]'))!.trim();
    assert.ok(path in expected.hashes, `the viewer shows a file that was imported: ${path}`);
    assert.equal(hash, expected.hashes[path]);
    await s.page.screenshot({ path: join(SCREENSHOTS, 'viewer.png') });

    // With the viewer open, the arrow keys page through the images.
    await s.page.keyboard.press('ArrowRight');
    const nextId = await s.page.getAttribute(`[data-testid=grid-cell][data-index="${index + 1}"]`, 'data-image-id');
    await s.page.waitForSelector(`[data-testid=viewer][data-image-id="${nextId}"]`);

    // "As the model sees it": the engine's decode at the launcher's input size, following the viewer.
    const toggle = s.page.getByTestId('viewer-model-toggle');
    await toggle.check();
    const size = Number(
      /\((\d+) px\)/.exec((await s.page.textContent('label:has([data-testid=viewer-model-toggle])'))!)![1],
    );
    assert.equal(size, 224, 'the launcher has chosen no backbone: the default input size');
    const modelImage = async (imageId: string | null) => {
      const img = await s.page.waitForSelector(`[data-testid=viewer-model-image][data-image-id="${imageId}"]`);
      await s.page.waitForFunction(
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
    await s.page.screenshot({ path: join(SCREENSHOTS, 'viewer-model.png') });
    await s.page.click(`[data-testid=grid-cell][data-index="${index + 2}"]`);
    const thirdId = await s.page.getAttribute(`[data-testid=grid-cell][data-index="${index + 2}"]`, 'data-image-id');
    assert.deepEqual(await modelImage(thirdId), [size, size], 'the model view follows the viewer');
    await toggle.uncheck();
    await s.page.waitForSelector('[data-testid=viewer-image]');

    await s.page.keyboard.press('Escape');
    await s.page.waitForSelector('[data-testid=viewer]', { state: 'detached' });
  });

  it('lists the planted bad files, with their kinds, in the Problems view', async () => {
    await s.page.click('[data-testid=nav-problems]');
    const planted = Object.entries(expected.problems);
    await s.page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=problems-row]').length === n,
      planted.length,
    );
    const rows = await s.page.$$eval('[data-testid=problems-row]', (trs) =>
      trs.map((tr) => [
        tr.querySelector('[data-testid=problems-path]')!.textContent!.trim(),
        tr.getAttribute('data-kind'),
      ]),
    );
    assert.deepEqual(Object.fromEntries(rows), expected.problems);
    await s.page.screenshot({ path: join(SCREENSHOTS, 'problems.png') });
  });

  it('closes the project, explains a bad folder, and creates a new project', async () => {
    await s.page.click('[data-testid=project-close]');
    await s.page.waitForSelector('[data-testid=project-screen]');
    const fresh = join(s.tmp, 'second-project');
    await s.page.fill('[data-testid=project-path]', fresh);
    await s.page.click('[data-testid=project-open]');
    const error = await s.page.waitForSelector('[data-testid=project-error]');
    assert.ok(((await error.textContent()) ?? '').length > 10, 'the error says what is wrong');
    await s.page.click('[data-testid=project-create]');
    await s.page.waitForSelector('[data-testid=project-name]:has-text("second-project")');
    await s.page.waitForSelector('[data-testid=grid-empty]');
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(s.errors, []);
  });
});
