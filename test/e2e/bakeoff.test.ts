// A backbone bake-off from the UI on the tiny Fashion-MNIST slice: the launcher's plan on
// the bundled nsfwjs MobileNetV2 (96 px) and the Keras MobileNet 0.25 imported from the
// fixture file (128 px), two epochs each; the Runs page shows its table (intervals,
// latency, size) and the Pareto chart, and the same after a restart. With
// STUDIO_SCREENSHOTS=DIR the table and chart are saved there (docs/screenshots).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { e2eSetup, importThroughApi } from './harness';
import { tinyCount, writeTinyFixture } from './tiny-fixture';

const FIXTURE = join(import.meta.dirname, '../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');
const SHOTS = process.env.STUDIO_SCREENSHOTS;

describe('backbone bake-off from the UI', () => {
  const s = e2eSetup({
    name: 'bakeoff',
    modelCache: true,
    data: (tmp) => writeTinyFixture(join(tmp, 'fashion')),
    prepare: async (e2e) => {
      await e2e.running.studio.backbones.import({ file: FIXTURE, id: 'mobilenet_0.25' });
      await importThroughApi(e2e, join(e2e.tmp, 'fashion'));
      assert.equal((await e2e.h().dataset.stats({})).total, tinyCount());
    },
  });

  it("starts one run per picked backbone on the launcher's plan", async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.fill('[data-testid=p1-epochs]', '2');
    await s.page.fill('[data-testid=run-name]', 'mnv2 vs mn0.25');
    await s.page.click('[data-testid=bakeoff-launcher] summary');
    await s.page.check('[data-testid=bakeoff-pick][data-id="nsfwjs_mobilenet_v2"]');
    await s.page.selectOption('[data-testid=bakeoff-size][data-id="nsfwjs_mobilenet_v2"]', '96');
    await s.page.check('[data-testid=bakeoff-pick][data-id="mobilenet_0.25"]');
    await s.page.selectOption('[data-testid=bakeoff-size][data-id="mobilenet_0.25"]', '128');
    await s.page.click('[data-testid=bakeoff-start]');
    await s.page.waitForSelector('[data-testid=run-view]');
    const [b] = await s.h().runs.bakeoffs({});
    assert.equal(b!.name, 'mnv2 vs mn0.25');
    const runs = await Promise.all(b!.runIds.map((runId) => s.h().runs.get({ runId })));
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
    await s.page.click('[data-testid=nav-runs]');
    await s.page.waitForSelector('[data-testid=bakeoff-row][data-status=done] >> nth=1', { timeout: 240_000 });
    const [b] = await s.h().runs.bakeoffs({});
    const summary = await s.h().runs.bakeoffSummary({ bakeoffId: b!.bakeoffId });
    const rows = s.page.locator('[data-testid=bakeoff-row]');
    assert.equal(await rows.count(), 2);
    for (const [i, r] of summary.rows.entries()) {
      const text = (await rows.nth(i).textContent()) ?? '';
      assert.match(text, new RegExp(r.backboneId.replace('.', '\\.')));
      assert.match(
        text,
        new RegExp(`${Math.round(r.testAcc!.low * 100)}–${Math.round(r.testAcc!.high * 100)}`),
        'the test interval is shown',
      );
      assert.match((await rows.nth(i).locator('[data-testid=bakeoff-latency]').textContent()) ?? '', /\d+(\.\d)? ms/);
    }
    await s.page.waitForSelector('[data-testid=pareto-chart][data-points="2"]');
    const fronts = await s.page
      .locator('[data-testid=pareto-dot]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-front')));
    assert.deepEqual(
      fronts,
      summary.rows.map((r) => String(r.pareto)),
    );
    assert.ok(fronts.includes('true'));
    if (SHOTS) {
      await s.page
        .locator('[data-testid=bakeoff]')
        .first()
        .screenshot({ path: join(SHOTS, 'bakeoff.png') });
      await s.page
        .locator('[data-testid=pareto-chart]')
        .first()
        .screenshot({ path: join(SHOTS, 'bakeoff-pareto.png') });
    }
  });

  it('shows the same bake-off after a restart', async () => {
    const before = await s.h().runs.bakeoffSummary({ bakeoffId: (await s.h().runs.bakeoffs({}))[0]!.bakeoffId });
    s.running.studio.close();
    s.running.studio.open({ path: join(s.tmp, 'project'), create: false });
    await s.page.reload();
    await s.page.click('[data-testid=nav-runs]');
    await s.page.waitForSelector('[data-testid=bakeoff-row][data-status=done] >> nth=1');
    await s.page.waitForSelector('[data-testid=pareto-chart][data-points="2"]');
    assert.deepEqual(await s.h().runs.bakeoffSummary({ bakeoffId: before.bakeoffId }), before);
    assert.deepEqual(s.errors, []);
  });
});
