// Training in the real UI, against the real server, engine process and database: the head
// editor's live size against headSize and the engine's count, a refused start, a short
// MobileNetV2 run on a tiny Fashion-MNIST slice whose curve gains points as epochs end,
// two runs compared, a confusion-matrix cell opened and an image relabelled from the
// gallery (and undone), and everything still there after a restart. Every wait is for
// something the UI shows or the studio emits, never a sleep.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { headSize, type HeadSpec } from '../../src-shared/head-spec';
import { selectBackend } from '../../src-node-shared/backend';
import { buildHead } from '../../src-training/head';
import { e2eSetup, importThroughUi, startStudio } from './harness';
import { TINY, tinyCount, writeTinyFixture } from './tiny-fixture';
import { studioArgv } from '../fixtures/children';
import { epochTag } from '../../src-shared/epochs';

const REPO = join(import.meta.dirname, '..', '..');

const EPOCHS = 3;

describe('training from the UI', () => {
  const s = e2eSetup({ name: 'train', data: (tmp) => writeTinyFixture(join(tmp, 'fashion')) });
  const projectDir = () => join(s.tmp, 'project');
  let firstRunId = 0;
  const num = async (sel: string, attr: string) => Number(await s.page.getAttribute(sel, attr));

  it('says plainly why a run cannot start on a project without two classes', async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.waitForSelector('[data-testid=feature-shape]:has-text("7 × 7 × 1280")');
    await s.page.click('[data-testid=run-start]');
    const text = await s.page.textContent('[data-testid=start-error]');
    assert.match(text ?? '', /class/i);
    assert.equal(await s.page.locator('[data-testid=run-view]').count(), 0);
  });

  it('imports the tiny labelled dataset', async () => {
    await importThroughUi(s.page, join(s.tmp, 'fashion'), tinyCount());
  });

  it('shows the head size live as layers are added and typed, equal to headSize', async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.selectOption('[data-testid=input-size]', '96');
    await s.page.waitForSelector('[data-testid=feature-shape]:has-text("3 × 3 × 1280")');
    await s.page.click('[data-testid=head-add-dense]');
    await s.page.locator('[data-testid=head-units]').last().fill('64');
    await s.page.click('[data-testid=head-add-batchnorm]');
    const spec = (units: number): HeadSpec => ({
      pooling: 'avg',
      l2: 0,
      layers: [{ kind: 'dropout', rate: 0.2 }, { kind: 'dense', units, activation: 'relu' }, { kind: 'batchnorm' }],
    });
    const want = headSize(spec(64), [3, 3, 1280], TINY.classes.length);
    await s.page.waitForSelector(`[data-testid=head-size][data-params="${want.params}"]`);
    await s.page.locator('[data-testid=head-units]').last().fill('640');
    const bigger = headSize(spec(640), [3, 3, 1280], TINY.classes.length);
    await s.page.waitForSelector(`[data-testid=head-size][data-params="${bigger.params}"]`);
    // The engine builds this very head (tfjs layers) with as many parameters as the editor shows.
    await selectBackend({ prefer: 'cpu' });
    const built = buildHead(spec(640), [3, 3, 1280], TINY.classes.length, 'single', { seed: 1 });
    assert.equal(await num('[data-testid=head-size]', 'data-params'), built.full.countParams());
    built.full.dispose();
    await s.page.locator('[data-testid=head-remove]').nth(2).click();
    await s.page.locator('[data-testid=head-remove]').nth(1).click();
  });

  it('warns in plain words when Flatten explodes the head, and says what to do instead', async () => {
    await s.page.selectOption('[data-testid=backbone]', 'nsfwjs_inception_v3');
    await s.page.waitForSelector('[data-testid=feature-shape]:has-text("8 × 8 × 2048")');
    await s.page.selectOption('[data-testid=head-pooling]', 'flatten');
    await s.page.click('[data-testid=head-add-dense]');
    await s.page.locator('[data-testid=head-units]').last().fill('1024');
    const warning = await s.page.locator('[data-testid=head-warning]').first().textContent();
    assert.match(warning ?? '', /global average pooling/);
    assert.match(warning ?? '', /\d+(\.\d)? (MB|GB)/);
    await s.page.locator('[data-testid=head-remove]').last().click();
    await s.page.selectOption('[data-testid=head-pooling]', 'avg');
    await s.page.selectOption('[data-testid=backbone]', 'nsfwjs_mobilenet_v2');
    await s.page.selectOption('[data-testid=input-size]', '96');
    await s.page.waitForSelector('[data-testid=head-warning]', { state: 'detached' });
  });

  it('previews augmentation on training images, and says it touches training data only', async () => {
    await s.page.check('[data-testid=augment-on]');
    await s.page.waitForSelector('[data-testid=augment-preview-row] img');
    const srcs = await s.page
      .locator('[data-testid=augment-preview-row]')
      .first()
      .locator('img')
      .evaluateAll((els) => els.map((e) => e.getAttribute('src') ?? ''));
    assert.ok(
      srcs.length >= 2 && srcs.every((s) => s.startsWith('data:image/jpeg;base64,')),
      'the engine draws the views',
    );
    assert.match((await s.page.textContent('[data-testid=augment-preview]')) ?? '', /training images only/);
    assert.match((await s.page.textContent('[data-testid=train-view]')) ?? '', /training images only/);
    await s.page.uncheck('[data-testid=augment-on]');
  });

  async function launch(name: string, lr: string, epochs = EPOCHS): Promise<number> {
    await s.page.click('[data-testid=nav-train]');
    await s.page.fill('[data-testid=run-name]', name);
    await s.page.fill('[data-testid=p1-epochs]', String(epochs));
    await s.page.fill('[data-testid=p1-lr]', lr);
    await s.page.click('[data-testid=run-start]');
    await s.page.waitForSelector(`[data-testid=run-view] [data-testid=run-name]:has-text("${name}")`);
    return Number(await s.page.getAttribute('[data-testid=run-view]', 'data-run-id'));
  }

  it('launches a short run, whose curves gain a point per epoch, and which the engine sizes as the editor did', async () => {
    // Record every point count the chart shows, from before the first epoch ends.
    await s.page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { seenPoints: number[] }).seenPoints = seen;
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid=run-curves]');
        const n = el ? Number(el.getAttribute('data-points')) : -1;
        if (n >= 0 && seen.at(-1) !== n) seen.push(n);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-points'] });
    });
    const runId = await launch('first run', '0.001');
    firstRunId = runId;
    await s.page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: 100_000 });
    await s.page.waitForSelector(`[data-testid=run-curves][data-points="${EPOCHS}"]`);
    // The run's page says what computed its features and that they were held.
    const frozen = await s.page.locator('[data-testid=frozen-work]').textContent();
    assert.match(
      frozen ?? '',
      /Pooled features: computed on (onnxruntime-cpu|tfjs-wasm), \d+ threads?.*; [\d.]+ kB, held in memory/,
    );
    const seen = await s.page.evaluate(() => (window as unknown as { seenPoints: number[] }).seenPoints);
    assert.ok(seen.includes(0) || seen[0]! < EPOCHS, `curve started empty: ${seen}`);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
      `points only grow: ${seen}`,
    );
    assert.ok(new Set(seen.filter((n) => n > 0)).size >= 2, `the curve gained points one epoch at a time: ${seen}`);
    const run = await s.h().runs.get({ runId });
    const engineShape = run.result!.featureShape;
    const want = headSize(
      { pooling: 'avg', l2: 0, layers: [{ kind: 'dropout', rate: 0.2 }] },
      engineShape,
      TINY.classes.length,
    );
    assert.equal(run.modelBytes, want.weightBytes, "the engine's head matches the editor's size");
    assert.equal(run.epochs, EPOCHS);
  });

  it('names the same kept epoch and figures in the header, the chart, the runs table and `studio eval --json`', async () => {
    const runId = firstRunId;
    // Early stopping (on by default) restores the epoch of lowest validation loss.
    const { phase1 } = await s.h().runs.epochs({ runId });
    const lowest = phase1.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
    const tag = epochTag(1, lowest.epoch);
    assert.equal(await s.page.getAttribute('[data-testid=run-kept]', 'data-kept'), tag);
    assert.equal(await s.page.getAttribute('[data-testid=run-curves]', 'data-kept'), tag);
    assert.match(
      (await s.page.getAttribute('[data-testid=run-curves]', 'data-kept-label')) ?? '',
      new RegExp(`^kept ${tag} \\(lowest val loss\\)$`),
    );
    const acc = `${(lowest.valAcc! * 100).toFixed(1)} %`;
    assert.equal(await s.page.textContent('[data-testid=run-kept-acc]'), acc);
    // Where the time went, beside the wall time.
    const time = (await s.page.textContent('[data-testid=run-time]')) ?? '';
    const d = String.raw`(?:\d+ min )?[\d.]+ s`;
    assert.match(time, new RegExp(`^Wall time ${d}: cache build ${d}, phase 1 ${d}, evaluation ${d}, start-up ${d}$`));
    const cli = spawnSync(process.execPath, studioArgv('eval', projectDir(), String(runId), '--json'), {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.doesNotMatch(cli.stderr, /Hi, looks like you are running TensorFlow\.js/);
    const json = JSON.parse(cli.stdout) as {
      kept: { phase: number; epoch: number; tag: string; valAcc: number };
      timing: Record<string, number>;
    };
    assert.deepEqual(
      [json.kept.phase, json.kept.epoch, json.kept.tag, json.kept.valAcc],
      [1, lowest.epoch + 1, tag, lowest.valAcc],
    );
    assert.equal(json.timing.wallMs, Number(await s.page.getAttribute('[data-testid=run-time]', 'data-wall-ms')));
    assert.ok(
      json.timing.cacheMs! > 0 && json.timing.phase1Ms! > 0 && json.timing.evalMs! > 0,
      JSON.stringify(json.timing),
    );
    await s.page.click('[data-testid=nav-runs]');
    const row = s.page.locator(`[data-testid=run-row][data-run-id="${runId}"]`);
    assert.equal(await row.getAttribute('data-kept'), tag);
    assert.match(
      (await row.locator('[data-col=bestValAcc]').textContent()) ?? '',
      new RegExp(`^\\s*${acc} ±[\\d.]+ · ${tag}\\s*$`),
    );
    // The last column is on screen, not cut off at the window's right edge.
    const doctor = await row.locator('.c-doctor').boundingBox();
    assert.ok(doctor && doctor.x + doctor.width <= 1440, `doctor column ends at ${doctor && doctor.x + doctor.width}`);
    await s.page.locator('[data-testid=run-open]', { hasText: 'first run' }).click();
    await s.page.waitForSelector(`[data-testid=run-curves][data-points="${EPOCHS}"]`);
  });

  it('compares two runs: curves overlaid and the differing config fields marked', async () => {
    await launch('second run', '0.003');
    await s.page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: 100_000 });
    await s.page.click('[data-testid=nav-runs]');
    await s.page.waitForSelector('[data-testid=run-row] >> nth=1');
    const rows = s.page.locator('[data-testid=run-row]');
    await rows.nth(0).locator('[data-testid=run-compare]').check();
    await rows.nth(1).locator('[data-testid=run-compare]').check();
    await s.page.waitForSelector('[data-testid=compare][data-runs="2"]');
    await s.page.waitForSelector(`[data-testid=compare-acc][data-points="${EPOCHS}"]`);
    assert.equal(
      await s.page.getAttribute('[data-testid=compare-field][data-field="phase1.optimizer.lr"]', 'data-differs'),
      'true',
    );
    assert.equal(
      await s.page.getAttribute('[data-testid=compare-field][data-field="backboneId"]', 'data-differs'),
      'false',
    );
    // Each run's wall time, beside where it went.
    for (const wall of await s.page.locator('[data-testid=compare-wall]').allTextContents())
      assert.match(wall, /^(\d+ min )?[\d.]+ s$/);
    await s.page.click('[data-testid=sort-bestValAcc]');
    await s.page.waitForSelector('th[aria-sort] >> text=Val acc (kept epoch)');
  });

  it('opens a confusion-matrix cell, relabels an image from the gallery with a number key, and undoes it', async () => {
    await s.page.locator('[data-testid=run-open]', { hasText: 'first run' }).click();
    await s.page.waitForSelector('[data-testid=confusion]');
    const cells = s.page.locator('[data-testid=cm-cell]:not([disabled])');
    const cell = cells.first();
    const [t, p, count] = await Promise.all(
      ['data-true', 'data-predicted', 'data-count'].map((a) => cell.getAttribute(a)),
    );
    await cell.click();
    await s.page.waitForSelector(`[data-testid=gallery][data-count="${count}"]`);
    const runId = Number(await s.page.getAttribute('[data-testid=run-view]', 'data-run-id'));
    const preds = await s.h().runs.predictions({
      runId,
      trueClass: Number(t),
      predicted: Number(p),
      offset: 0,
      limit: 200,
    });
    const first = s.page.locator('[data-testid=gallery-item]').first();
    assert.equal(Number(await first.getAttribute('data-image-id')), preds.items[0]!.imageId, 'highest loss first');
    const imageId = preds.items[0]!.imageId;
    const run = await s.h().runs.get({ runId });
    const target = (Number(t) + 1) % run.classes.length;
    await first.focus();
    await s.page.keyboard.press(String(target + 1));
    await s.page.waitForSelector(
      `[data-testid=gallery-item][data-image-id="${imageId}"][data-label="${run.classes[target]}"]`,
    );
    assert.equal((await s.h().dataset.image({ id: imageId })).className, run.classes[target]);
    await s.page.keyboard.press('Control+z');
    await s.page.waitForSelector(
      `[data-testid=gallery-item][data-image-id="${imageId}"][data-label="${run.classes[Number(t)]}"]`,
    );
    assert.equal((await s.h().dataset.image({ id: imageId })).className, run.classes[Number(t)]);
  });

  it('shows batch progress while a long run trains, and cancels it', async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.uncheck('[data-testid=early-stopping]');
    await s.page.evaluate(() => {
      const w = window as unknown as { sawProgress: string[] };
      w.sawProgress = [];
      new MutationObserver(() => {
        const kind = document.querySelector('[data-testid=run-progress]')?.getAttribute('data-kind');
        if (kind && !w.sawProgress.includes(kind)) w.sawProgress.push(kind);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    // Epochs on cached features of 24 images take milliseconds: ask for the most the contract allows.
    const runId = await launch('long run', '0.001', 10_000);
    await s.page.waitForFunction(
      () => Number(document.querySelector('[data-testid=run-curves]')?.getAttribute('data-points')) >= 2,
      null,
      { timeout: 60_000 },
    );
    // The header says what it does, on what, and how long is left from measured epochs.
    await s.page.waitForSelector('[data-testid=run-stage]:has-text("Training phase 1, epoch")');
    assert.doesNotMatch((await s.page.textContent('[data-testid=run-backend]')) ?? '', /choosing/);
    assert.match((await s.page.textContent('[data-testid=run-eta]')) ?? '', /^about \d/);
    await s.page.click('[data-testid=run-cancel]');
    await s.page.waitForSelector('[data-testid=run-status][data-status=cancelled]', { timeout: 60_000 });
    const saw = await s.page.evaluate(() => (window as unknown as { sawProgress: string[] }).sawProgress);
    assert.ok(saw.includes('batch'), `batch progress was shown: ${saw}`);
    const run = await s.h().runs.get({ runId });
    assert.ok(run.epochs >= 2 && run.epochs < 10_000, `stopped early: ${run.epochs} epochs`);
    await s.page.click('[data-testid=nav-train]');
    await s.page.check('[data-testid=early-stopping]');
  });

  it('runs 2-fold cross-validation as a group and shows its mean and spread', async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.check('[data-testid=kfold]');
    await s.page.fill('[data-testid=kfold-folds]', '2');
    await launch('two folds', '0.001', 2);
    await s.page.click('[data-testid=nav-train]');
    await s.page.uncheck('[data-testid=kfold]');
    await s.page.click('[data-testid=nav-runs]');
    await s.page.waitForSelector('[data-testid=group-row]:has-text("2 / 2")', { timeout: 100_000 });
    assert.match((await s.page.textContent('[data-testid=group-row]')) ?? '', /\d+\.\d ± \d+\.\d %/);
  });

  it('shows every run, its curves and its evaluation after a restart', async () => {
    const runId = firstRunId;
    await s.running.close();
    s.running = await startStudio({ projectDir: projectDir(), create: false });
    await s.page.goto(`${s.running.url.split('#')[0]}#/runs/${runId}`);
    await s.page.waitForSelector(`[data-testid=run-curves][data-points="${EPOCHS}"]`);
    await s.page.waitForSelector('[data-testid=confusion]');
    await s.page.waitForSelector('[data-testid=gallery-item]');
    await s.page.click('[data-testid=nav-runs]');
    await s.page.waitForSelector('[data-testid=run-row] >> nth=2');
    await s.page.waitForSelector('[data-testid=run-row][data-status=cancelled]');
    assert.deepEqual(s.errors, []);
  });
});
