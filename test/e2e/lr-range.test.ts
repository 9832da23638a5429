// The learning-rate range test from the launcher, against the real server and training
// process: its bar moves through the steps, Cancel stops it (the launcher is idle again and
// says so), and a second test runs to its suggestion.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { e2eSetup, importThroughUi } from './harness';
import { tinyCount, writeTinyFixture } from './tiny-fixture';

describe('the LR range test', () => {
  const s = e2eSetup({
    name: 'lr',
    data: (tmp) => writeTinyFixture(join(tmp, 'fashion')),
    opened: async ({ page, tmp }) => {
      await importThroughUi(page, join(tmp, 'fashion'), tinyCount());
      await page.click('[data-testid=nav-train]');
      await page.selectOption('[data-testid=input-size]', '96');
    },
  });
  const done = async () => Number(await s.page.getAttribute('[data-testid=lr-progress]', 'data-done'));

  it('shows its steps moving, and Cancel stops it with a message', async () => {
    await s.page.click('[data-testid=lr-range-run]');
    await s.page.waitForSelector('[data-testid=lr-progress][data-stage=steps]', { timeout: 120_000 });
    const first = await done();
    await s.page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=lr-progress]')?.getAttribute('data-done')) > n,
      first,
    );
    assert.match((await s.page.textContent('[data-testid=lr-progress-text]')) ?? '', /^Step \d+ of 100$/);
    await s.page.click('[data-testid=lr-range-cancel]');
    await s.page.waitForSelector('[data-testid=lr-notice]', { timeout: 30_000 });
    assert.match((await s.page.textContent('[data-testid=lr-notice]')) ?? '', /cancelled/);
    assert.equal(await s.page.locator('[data-testid=lr-progress]').count(), 0);
    assert.equal(await s.page.locator('[data-testid=lr-suggestion]').count(), 0);
    assert.ok(await s.page.isEnabled('[data-testid=lr-range-run]'));
  });

  it('runs again to a suggestion after a cancel', async () => {
    await s.page.click('[data-testid=lr-range-run]');
    await s.page.waitForSelector('[data-testid=lr-progress]');
    assert.equal(await s.page.locator('[data-testid=lr-notice]').count(), 0, 'the old notice goes');
    await s.page.waitForSelector('[data-testid=lr-suggestion]', { timeout: 180_000 });
    assert.equal(await s.page.locator('[data-testid=lr-progress]').count(), 0);
    assert.equal(await s.page.locator('[data-testid=lr-error]').count(), 0);
    assert.deepEqual(s.errors, []);
  });
});
