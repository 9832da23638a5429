// The training doctor in the real UI, against the real server, engine process and
// database: a run made to underfit (one epoch at a tiny learning rate) shows the
// underfitting finding on its page and a badge in the runs table; a run whose phase 2
// trains at learning rate 0.1 on a tiny set names the learning rate as the likely cause of
// unstable validation. Every wait is for something the UI shows, never a sleep.
// STUDIO_SCREENSHOTS=1 also writes docs/screenshots/findings.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunConfig } from '../../src-shared/engine-config';
import { e2eSetup, importThroughUi } from './harness';
import { tinyCount, writeTinyFixture } from './tiny-fixture';

const DONE = 180_000;

describe('the training doctor', () => {
  const s = e2eSetup({
    name: 'doctor',
    data: (tmp) => writeTinyFixture(join(tmp, 'fashion')),
    opened: ({ page, tmp }) => importThroughUi(page, join(tmp, 'fashion'), tinyCount()),
  });

  it('shows underfitting on the page of a one-epoch run at a tiny learning rate, and a badge in the runs table', async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.selectOption('[data-testid=backbone]', 'nsfwjs_mobilenet_v2');
    await s.page.selectOption('[data-testid=input-size]', '96');
    await s.page.fill('[data-testid=p1-epochs]', '1');
    await s.page.fill('[data-testid=p1-lr]', '0.000001');
    await s.page.fill('[data-testid=target-val]', '85');
    await s.page.fill('[data-testid=target-train]', '92');
    await s.page.fill('[data-testid=run-name]', 'underfit');
    await s.page.click('[data-testid=run-start]');
    await s.page.waitForSelector('[data-testid=run-view] [data-testid=run-name]:has-text("underfit")');
    const runId = Number(await s.page.getAttribute('[data-testid=run-view]', 'data-run-id'));
    await s.page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: DONE });
    const finding = s.page.locator(
      '[data-testid=findings][data-final=true] [data-testid=finding][data-id=underfitting]',
    );
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
    await s.page.waitForSelector('[data-testid=finding][data-id=target]');
    const stored = (await s.h().runs.get({ runId })).doctor;
    assert.equal(stored?.final, true);
    assert.ok(stored.findings.some((f) => f.id === 'underfitting'));
    assert.match((await s.page.textContent('[data-testid=test-summary]')) ?? '', /95 % CI/);
    if (process.env.STUDIO_SCREENSHOTS === '1') {
      const out = join(import.meta.dirname, '../../docs/screenshots');
      mkdirSync(out, { recursive: true });
      await s.page.locator('[data-testid=findings]').screenshot({ path: join(out, 'findings.png') });
    }
    await s.page.click('[data-testid=nav-runs]');
    const badge = s.page.locator(`[data-testid=run-row][data-run-id="${runId}"] [data-testid=findings-badge]`);
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
    const { runIds } = await s.h().runs.start({ config, name: 'phase 2 at 0.1' });
    const runId = runIds[0]!;
    await s.page.click('[data-testid=nav-runs]');
    await s.page.click(`[data-testid=run-row][data-run-id="${runId}"] [data-testid=run-open]`);
    await s.page.waitForSelector(
      `[data-testid=run-view][data-run-id="${runId}"] [data-testid=run-status][data-status=done]`,
      { timeout: DONE },
    );
    const finding = s.page.locator(
      '[data-testid=findings][data-final=true] [data-testid=finding][data-id^=unstable-validation]',
    );
    await finding.first().waitFor();
    assert.match((await finding.first().textContent()) ?? '', /learning rate 0\.1/);
    assert.deepEqual(s.errors, []);
  });
});
