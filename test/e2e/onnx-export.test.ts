// ONNX export from the UI, against the real server, engine process and database: a short
// MobileNetV2 run trained from the UI is exported as ONNX from its page (the format chosen
// beside the button), then `studio predict` (the command line, in its own process)
// classifies the test images' folder with it on ONNX Runtime; its CSV gives the run's
// stored test predictions, class and probabilities within 1e-4. Every wait is for
// something the UI shows, never a sleep.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startStudio, type RunningStudio, importThroughUi, openUi, closeAll } from './harness';
import { writeTinyFixture } from './tiny-fixture';
import { studioArgv } from '../fixtures/children';

const REPO = join(import.meta.dirname, '../..');

describe('ONNX export from the UI', () => {
  let tmp: string;
  let data: string;
  let running: RunningStudio;
  let browser: Browser;
  let page: Page;
  let runId = 0;
  let exportDir = '';
  const pageErrors: string[] = [];
  const h = () => running.studio.handlers();

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-onnx-'));
    data = join(tmp, 'fashion');
    const imageCount = await writeTinyFixture(data);
    running = await startStudio({ projectDir: join(tmp, 'project'), create: true });
    ({ browser, page } = await openUi(running.url, pageErrors));
    await importThroughUi(page, data, imageCount);
  });

  after(async () => {
    await closeAll(browser, running, tmp);
  });

  it('trains a short run from the UI', async () => {
    await page.click('[data-testid=nav-train]');
    await page.selectOption('[data-testid=input-size]', '96');
    await page.waitForSelector('[data-testid=feature-shape]:has-text("3 × 3 × 1280")');
    await page.fill('[data-testid=run-name]', 'to export');
    await page.fill('[data-testid=p1-epochs]', '2');
    await page.fill('[data-testid=p1-lr]', '0.003');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-view] [data-testid=run-name]:has-text("to export")');
    runId = Number(await page.getAttribute('[data-testid=run-view]', 'data-run-id'));
    await page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: 120_000 });
  });

  it('exports the run as ONNX from its page', async () => {
    await page.selectOption('[data-testid=export-format]', 'onnx');
    await page.click('[data-testid=export-start]');
    const result = page.locator('[data-testid=export-result][data-format=onnx]');
    await result.waitFor({ timeout: 120_000 });
    exportDir = (await result.getAttribute('data-dir'))!;
    assert.match(exportDir, /export-onnx$/);
    const manifest = JSON.parse(readFileSync(join(exportDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.format, 'finetune-studio/onnx');
    assert.equal(manifest.runId, String(runId));
    assert.deepEqual(manifest.labels, (await h().runs.get({ runId })).classes);
  });

  it('offers the exported files as downloads in the browser, and the download is the file', async () => {
    const links = page.locator('[data-testid=export-download]');
    assert.deepEqual((await links.allTextContents()).sort(), ['manifest.json', 'model.onnx']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      links.filter({ hasText: 'model.onnx' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'model.onnx');
    const saved = join(exportDir, '..', 'downloaded.onnx');
    await download.saveAs(saved);
    assert.deepEqual(readFileSync(saved), readFileSync(join(exportDir, 'model.onnx')));
  });

  it('predicts the test folder with it through `studio predict`, matching the stored test predictions', async () => {
    const csvFile = join(tmp, 'predictions.csv');
    const cli = spawnSync(process.execPath, studioArgv('predict', exportDir, join(data, 'test'), '--out', csvFile), {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /with nsfwjs_mobilenet_v2 \(onnxruntime-cpu\)/);
    const [header, ...lines] = readFileSync(csvFile, 'utf8').trim().split('\n');
    const run = await h().runs.get({ runId });
    assert.equal(header, ['path', 'predicted', 'confidence', ...run.classes].join(','));
    const byPath = new Map(
      lines
        .map((l) => l.split(','))
        .map(([path, predicted, , ...probs]) => [path!, { predicted: predicted!, probs: probs.map(Number) }]),
    );
    const stored = (await h().runs.predictions({ runId, offset: 0, limit: 200 })).items;
    assert.ok(
      stored.length > 0 && stored.length === byPath.size,
      `${stored.length} stored test predictions, ${byPath.size} CSV rows`,
    );
    for (const p of stored) {
      const { paths } = await h().dataset.image({ id: p.imageId });
      const row = paths.map((path) => byPath.get(path)).find(Boolean);
      assert.ok(row, `image ${p.imageId} (${paths[0]}) is in the CSV`);
      assert.equal(row.predicted, run.classes[p.predicted]);
      // The CSV writes 6 decimals: 5e-7 of rounding on top of the 1e-4.
      p.probs.forEach((v, k) =>
        assert.ok(Math.abs(v - row.probs[k]!) < 1e-4 + 5e-7, `image ${p.imageId} class ${k}: ${row.probs[k]} vs ${v}`),
      );
    }
    assert.deepEqual(pageErrors, []);
  });
});
