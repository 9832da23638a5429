// The learning-rate range test from the launcher, against the real server and training
// process: Cancel stops it (the launcher is idle again and says so), and a second test runs
// to its suggestion with its bar moving through the steps.
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
  // What the bar showed, recorded in the page as it changes: a range test on cached features can
  // take well under a second, too quick to sample from here.
  // (A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.)
  const watchProgress = () =>
    s.page.evaluate(`(() => {
      window.lrSeen = [];
      const note = () => {
        const bar = document.querySelector('[data-testid=lr-progress]');
        const text = document.querySelector('[data-testid=lr-progress-text]')?.textContent ?? '';
        if (bar) window.lrSeen.push(bar.getAttribute('data-stage') + ' ' + bar.getAttribute('data-done') + ' ' + text);
      };
      new MutationObserver(note).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['data-stage', 'data-done'],
      });
    })()`);
  const seen = () => s.page.evaluate(() => (window as unknown as { lrSeen: string[] }).lrSeen);

  it('Cancel stops it with a message, and the launcher is idle again', async () => {
    // Cancelled at once, while the training process starts or builds the feature cache: a test
    // that ran to its end before the click landed would prove nothing about Cancel.
    await s.page.click('[data-testid=lr-range-run]');
    await s.page.waitForSelector('[data-testid=lr-progress]');
    await s.page.click('[data-testid=lr-range-cancel]');
    await s.page.waitForSelector('[data-testid=lr-notice]', { timeout: 60_000 });
    assert.match((await s.page.textContent('[data-testid=lr-notice]')) ?? '', /cancelled/);
    assert.equal(await s.page.locator('[data-testid=lr-progress]').count(), 0);
    assert.equal(await s.page.locator('[data-testid=lr-suggestion]').count(), 0);
    assert.ok(await s.page.isEnabled('[data-testid=lr-range-run]'));
  });

  it('runs again to a suggestion after a cancel, its bar moving through the steps', async () => {
    await watchProgress();
    await s.page.click('[data-testid=lr-range-run]');
    await s.page.waitForSelector('[data-testid=lr-progress]');
    assert.equal(await s.page.locator('[data-testid=lr-notice]').count(), 0, 'the old notice goes');
    await s.page.waitForSelector('[data-testid=lr-suggestion]', { timeout: 180_000 });
    assert.equal(await s.page.locator('[data-testid=lr-progress]').count(), 0);
    assert.equal(await s.page.locator('[data-testid=lr-error]').count(), 0);
    const steps = (await seen()).filter((line) => line.startsWith('steps '));
    const done = steps.map((line) => Number(line.split(' ')[1]));
    assert.ok(new Set(done).size >= 2, `the bar moved through the steps: ${JSON.stringify(steps)}`);
    assert.deepEqual(
      done,
      [...done].sort((x, y) => x - y),
      'steps only go forward',
    );
    assert.ok(
      steps.every((line) => /^steps \d+ Step \d+ of 100$/.test(line)),
      JSON.stringify(steps),
    );
    assert.deepEqual(s.errors, []);
  });
});
