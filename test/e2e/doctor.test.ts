// The training doctor in the real UI, against the real server, engine process and
// database: a run made to underfit (one epoch at a tiny learning rate) shows the
// underfitting finding on its page and a badge in the runs table; a run whose phase 2
// trains at learning rate 0.1 on a tiny set names the learning rate as the likely cause of
// unstable validation. Every wait is for something the UI shows, never a sleep.
// STUDIO_SCREENSHOTS=1 also writes docs/screenshots/findings.png.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RunConfig } from '../../src-shared/engine-config';
import { startStudio, type RunningStudio, importThroughUi, openUi, closeAll } from './harness';
import { writeTinyFixture } from './tiny-fixture';

const DONE = 180_000;

describe('the training doctor', () => {
  let tmp: string;
  let running: RunningStudio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const h = () => running.studio.handlers();

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-doctor-'));
    const data = join(tmp, 'fashion');
    const count = await writeTinyFixture(data);
    running = await startStudio({ projectDir: join(tmp, 'project'), create: true });
    ({ browser, page } = await openUi(running.url, pageErrors));
    await importThroughUi(page, data, count);
  });

  after(async () => {
    await closeAll(browser, running, tmp);
  });

  it('shows underfitting on the page of a one-epoch run at a tiny learning rate, and a badge in the runs table', async () => {
    await page.click('[data-testid=nav-train]');
    await page.selectOption('[data-testid=backbone]', 'nsfwjs_mobilenet_v2');
    await page.selectOption('[data-testid=input-size]', '96');
    await page.fill('[data-testid=p1-epochs]', '1');
    await page.fill('[data-testid=p1-lr]', '0.000001');
    await page.fill('[data-testid=target-val]', '85');
    await page.fill('[data-testid=target-train]', '92');
    await page.fill('[data-testid=run-name]', 'underfit');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-view] [data-testid=run-name]:has-text("underfit")');
    const runId = Number(await page.getAttribute('[data-testid=run-view]', 'data-run-id'));
    await page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: DONE });
    const finding = page.locator('[data-testid=findings][data-final=true] [data-testid=finding][data-id=underfitting]');
    await finding.waitFor();
    assert.match(
      (await finding.locator('[data-testid=finding-evidence]').textContent()) ?? '',
      /training accuracy [\d.]+ % at the last epoch|still (falling|rising)/,
    );
    // At 1e-6 the learning rate is what holds it back: raised first, for phase 1 (the finder's phase), then more epochs.
    assert.match(
      (await finding.locator('[data-testid=finding-action]').textContent()) ?? '',
      /Raise phase 1's learning rate above 0\.000001 .*, or train longer \(more than 1 epoch in phase 1\)\.$/,
    );
    // The target was set in the launcher and is judged too; the store holds what the page shows.
    await page.waitForSelector('[data-testid=finding][data-id=target]');
    const stored = (await h().runs.get({ runId })).doctor;
    assert.equal(stored?.final, true);
    assert.ok(stored.findings.some((f) => f.id === 'underfitting'));
    assert.match((await page.textContent('[data-testid=test-summary]')) ?? '', /95 % CI/);
    if (process.env.STUDIO_SCREENSHOTS === '1') {
      const out = join(import.meta.dirname, '../../docs/screenshots');
      mkdirSync(out, { recursive: true });
      await page.locator('[data-testid=findings]').screenshot({ path: join(out, 'findings.png') });
    }
    await page.click('[data-testid=nav-runs]');
    const badge = page.locator(`[data-testid=run-row][data-run-id="${runId}"] [data-testid=findings-badge]`);
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-severity'), 'problem');
  });

  it('names the learning rate for a phase 2 at 0.1 on a tiny set', async () => {
    const config = RunConfig.parse({
      backboneId: 'nsfwjs_mobilenet_v2',
      inputSize: 96,
      phase1: { epochs: 2, batchSize: 8, optimizer: { kind: 'adam' as const, lr: 0.001 } },
      phase2: { epochs: 3, batchSize: 8, unfreezeBlocks: 1, optimizer: { kind: 'sgd' as const, lr: 0.1 } },
    });
    const { runIds } = await h().runs.start({ config, name: 'phase 2 at 0.1' });
    const runId = runIds[0]!;
    await page.click('[data-testid=nav-runs]');
    await page.click(`[data-testid=run-row][data-run-id="${runId}"] [data-testid=run-open]`);
    await page.waitForSelector(
      `[data-testid=run-view][data-run-id="${runId}"] [data-testid=run-status][data-status=done]`,
      { timeout: DONE },
    );
    const finding = page.locator(
      '[data-testid=findings][data-final=true] [data-testid=finding][data-id^=unstable-validation]',
    );
    await finding.first().waitFor();
    assert.match((await finding.first().textContent()) ?? '', /learning rate 0\.1/);
    assert.deepEqual(pageErrors, []);
  });
});
