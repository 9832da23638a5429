// A backbone bake-off from the UI on the tiny Fashion-MNIST slice: the launcher's plan on
// the bundled nsfwjs MobileNetV2 (96 px) and the Keras MobileNet 0.25 imported from the
// fixture file (128 px), two epochs each; the Runs page shows its table (intervals,
// latency, size) and the Pareto chart, and the same after a restart. With
// STUDIO_SCREENSHOTS=DIR the table and chart are saved there (docs/screenshots).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startStudio, type RunningStudio, openUi, closeAll } from './harness';
import { writeTinyFixture } from './tiny-fixture';

const FIXTURE = join(import.meta.dirname, '../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');
const SHOTS = process.env.STUDIO_SCREENSHOTS;

describe('backbone bake-off from the UI', () => {
  let tmp: string;
  let running: RunningStudio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const h = () => running.studio.handlers();

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-bakeoff-'));
    const data = join(tmp, 'fashion');
    const count = await writeTinyFixture(data);
    running = await startStudio({ projectDir: join(tmp, 'project'), create: true, modelCacheDir: join(tmp, 'models') });
    await running.studio.backbones.import({ file: FIXTURE, id: 'mobilenet_0.25' });
    await h().folders.pick({ path: data });
    await h().imports.start({ folder: data });
    await running.studio.idle();
    assert.equal((await h().dataset.stats({})).total, count);
    ({ browser, page } = await openUi(running.url, pageErrors));
  });

  after(async () => {
    await closeAll(browser, running, tmp);
  });

  it("starts one run per picked backbone on the launcher's plan", async () => {
    await page.click('[data-testid=nav-train]');
    await page.fill('[data-testid=p1-epochs]', '2');
    await page.fill('[data-testid=run-name]', 'mnv2 vs mn0.25');
    await page.click('[data-testid=bakeoff-launcher] summary');
    await page.check('[data-testid=bakeoff-pick][data-id="nsfwjs_mobilenet_v2"]');
    await page.selectOption('[data-testid=bakeoff-size][data-id="nsfwjs_mobilenet_v2"]', '96');
    await page.check('[data-testid=bakeoff-pick][data-id="mobilenet_0.25"]');
    await page.selectOption('[data-testid=bakeoff-size][data-id="mobilenet_0.25"]', '128');
    await page.click('[data-testid=bakeoff-start]');
    await page.waitForSelector('[data-testid=run-view]');
    const [b] = await h().runs.bakeoffs({});
    assert.equal(b!.name, 'mnv2 vs mn0.25');
    const runs = await Promise.all(b!.runIds.map((runId) => h().runs.get({ runId })));
    assert.deepEqual(
      runs.map((r) => [r.backboneId, r.config.inputSize, r.config.phase1.epochs]),
      [
        ['nsfwjs_mobilenet_v2', 96, 2],
        ['mobilenet_0.25', 128, 2],
      ],
    );
    assert.equal(runs[0]!.seed, runs[1]!.seed);
  });

  it('shows the table with intervals, latency and size, and the Pareto chart, once both runs are done', async () => {
    await page.click('[data-testid=nav-runs]');
    await page.waitForSelector('[data-testid=bakeoff-row][data-status=done] >> nth=1', { timeout: 240_000 });
    const [b] = await h().runs.bakeoffs({});
    const s = await h().runs.bakeoffSummary({ bakeoffId: b!.bakeoffId });
    const rows = page.locator('[data-testid=bakeoff-row]');
    assert.equal(await rows.count(), 2);
    for (const [i, r] of s.rows.entries()) {
      const text = (await rows.nth(i).textContent()) ?? '';
      assert.match(text, new RegExp(r.backboneId.replace('.', '\\.')));
      assert.match(
        text,
        new RegExp(`${Math.round(r.testAcc!.low * 100)}–${Math.round(r.testAcc!.high * 100)}`),
        'the test interval is shown',
      );
      assert.match((await rows.nth(i).locator('[data-testid=bakeoff-latency]').textContent()) ?? '', /\d+(\.\d)? ms/);
    }
    await page.waitForSelector('[data-testid=pareto-chart][data-points="2"]');
    const fronts = await page
      .locator('[data-testid=pareto-dot]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-front')));
    assert.deepEqual(
      fronts,
      s.rows.map((r) => String(r.pareto)),
    );
    assert.ok(fronts.includes('true'));
    if (SHOTS) {
      await page
        .locator('[data-testid=bakeoff]')
        .first()
        .screenshot({ path: join(SHOTS, 'bakeoff.png') });
      await page
        .locator('[data-testid=pareto-chart]')
        .first()
        .screenshot({ path: join(SHOTS, 'bakeoff-pareto.png') });
    }
  });

  it('shows the same bake-off after a restart', async () => {
    const before = await h().runs.bakeoffSummary({ bakeoffId: (await h().runs.bakeoffs({}))[0]!.bakeoffId });
    running.studio.close();
    running.studio.open({ path: join(tmp, 'project'), create: false });
    await page.reload();
    await page.click('[data-testid=nav-runs]');
    await page.waitForSelector('[data-testid=bakeoff-row][data-status=done] >> nth=1');
    await page.waitForSelector('[data-testid=pareto-chart][data-points="2"]');
    assert.deepEqual(await h().runs.bakeoffSummary({ bakeoffId: before.bakeoffId }), before);
    assert.deepEqual(pageErrors, []);
  });
});
