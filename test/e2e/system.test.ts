// The System page through the real UI and server: `system.doctor` over the contract, each
// rung of both ladders shown with its state and reason, the one in use marked, and the
// machine's devices and model cache, the same report `studio doctor` prints.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SystemCheckReport } from '../../src-shared/system';
import { launchBrowser, startStudio, type RunningStudio, closeAll } from './harness';

describe('System page', () => {
  let tmp: string;
  let running: RunningStudio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-system-'));
    running = await startStudio({ projectDir: join(tmp, 'project'), create: true, modelCacheDir: join(tmp, 'models') });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(running.url);
    await page.waitForSelector('[data-testid=project-name]');
  });

  after(async () => {
    await closeAll(browser, running, tmp);
  });

  it('shows every rung of both ladders with the state and reason the contract reports', async () => {
    await page.click('[data-testid=nav-system]');
    await page.waitForSelector('[data-testid=system-summary]', { timeout: 60_000 });
    const report = SystemCheckReport.parse(await running.studio.handlers().system.doctor({}));
    for (const [ladder, rungs] of [
      ['training', report.training],
      ['inference', report.inference],
    ] as const) {
      for (const r of rungs) {
        const row = page.locator(`[data-testid=rung-${ladder}-${r.id}]`);
        assert.equal(await row.getAttribute('data-state'), r.state, `${ladder} ${r.id}`);
        assert.equal(await row.getAttribute('data-chosen'), String(r.chosen), `${ladder} ${r.id}`);
        if (r.reason) assert.equal(await row.locator('[data-testid=rung-reason]').textContent(), r.reason);
      }
    }
    assert.equal(await page.getAttribute('[data-testid=rung-inference-onnxruntime-cpu]', 'data-state'), 'ok');
    const chosen = report.inference.find((r) => r.chosen)!.id;
    assert.match(
      (await page.textContent('[data-testid=system-summary]')) ?? '',
      new RegExp(`frozen inference on ${chosen}\\.`),
    );
  });

  it("shows the devices, the CUDA stacks and the studio's own model cache", async () => {
    const gpus = await page.locator('[data-testid=gpu]').count();
    if (gpus === 0) assert.match((await page.textContent('[data-testid=gpu-note]')) ?? '', /^no NVIDIA GPU/);
    assert.match((await page.textContent('[data-testid=cpu]')) ?? '', /^CPU: .*\d+ cores/);
    assert.equal(await page.locator('[data-testid=stack-tfjs-node-gpu]').count(), 1);
    assert.equal(await page.locator('[data-testid=stack-onnxruntime-cuda]').count(), 1);
    assert.equal(await page.textContent('[data-testid=model-cache-dir]'), join(tmp, 'models'));
    await page.click('[data-testid=system-refresh]');
    await page.waitForSelector('[data-testid=system-refresh]:not([disabled])', { timeout: 60_000 });
    assert.deepEqual(pageErrors, []);
  });
});
