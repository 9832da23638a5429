// The learning-rate range test from the launcher, against the real server and training
// process: its bar moves through the steps, Cancel stops it (the launcher is idle again and
// says so), and a second test runs to its suggestion.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { closeAll, importThroughUi, openUi, startStudio, type RunningStudio } from './harness';
import { writeTinyFixture } from './tiny-fixture';

describe('the LR range test', () => {
  let tmp: string;
  let running: RunningStudio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const done = async () => Number(await page.getAttribute('[data-testid=lr-progress]', 'data-done'));

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-lr-'));
    const data = join(tmp, 'fashion');
    const count = await writeTinyFixture(data);
    running = await startStudio({ projectDir: join(tmp, 'project'), create: true });
    ({ browser, page } = await openUi(running.url, pageErrors));
    await importThroughUi(page, data, count);
    await page.click('[data-testid=nav-train]');
    await page.selectOption('[data-testid=input-size]', '96');
  });

  after(async () => {
    await closeAll(browser, running, tmp);
  });

  it('shows its steps moving, and Cancel stops it with a message', async () => {
    await page.click('[data-testid=lr-range-run]');
    await page.waitForSelector('[data-testid=lr-progress][data-stage=steps]', { timeout: 120_000 });
    const first = await done();
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=lr-progress]')?.getAttribute('data-done')) > n,
      first,
    );
    assert.match((await page.textContent('[data-testid=lr-progress-text]')) ?? '', /^Step \d+ of 100$/);
    await page.click('[data-testid=lr-range-cancel]');
    await page.waitForSelector('[data-testid=lr-notice]', { timeout: 30_000 });
    assert.match((await page.textContent('[data-testid=lr-notice]')) ?? '', /cancelled/);
    assert.equal(await page.locator('[data-testid=lr-progress]').count(), 0);
    assert.equal(await page.locator('[data-testid=lr-suggestion]').count(), 0);
    assert.ok(await page.isEnabled('[data-testid=lr-range-run]'));
  });

  it('runs again to a suggestion after a cancel', async () => {
    await page.click('[data-testid=lr-range-run]');
    await page.waitForSelector('[data-testid=lr-progress]');
    assert.equal(await page.locator('[data-testid=lr-notice]').count(), 0, 'the old notice goes');
    await page.waitForSelector('[data-testid=lr-suggestion]', { timeout: 180_000 });
    assert.equal(await page.locator('[data-testid=lr-progress]').count(), 0);
    assert.equal(await page.locator('[data-testid=lr-error]').count(), 0);
    assert.deepEqual(pageErrors, []);
  });
});
