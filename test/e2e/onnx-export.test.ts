// ONNX export from the UI, against the real server, engine process and database: a short
// MobileNetV2 run trained from the UI is exported as ONNX from its page (the format chosen
// beside the button), then `studio predict` (the command line, in its own process)
// classifies the test images' folder with it on ONNX Runtime; its CSV gives the run's
// stored test predictions, class and probabilities within 1e-4. Every wait is for
// something the UI shows, never a sleep.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { e2eSetup, importThroughUi } from './harness';
import { tinyCount, writeTinyFixture } from './tiny-fixture';
import { studioArgv } from '../fixtures/children';

const REPO = join(import.meta.dirname, '../..');

describe('ONNX export from the UI', () => {
  const s = e2eSetup({
    name: 'onnx',
    data: (tmp) => writeTinyFixture(join(tmp, 'fashion')),
    opened: ({ page, tmp }) => importThroughUi(page, join(tmp, 'fashion'), tinyCount()),
  });
  const data = () => join(s.tmp, 'fashion');
  let runId = 0;
  let exportDir = '';

  it('trains a short run from the UI', async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.selectOption('[data-testid=input-size]', '96');
    await s.page.waitForSelector('[data-testid=feature-shape]:has-text("3 × 3 × 1280")');
    await s.page.fill('[data-testid=run-name]', 'to export');
    await s.page.fill('[data-testid=p1-epochs]', '2');
    await s.page.fill('[data-testid=p1-lr]', '0.003');
    await s.page.click('[data-testid=run-start]');
    await s.page.waitForSelector('[data-testid=run-view] [data-testid=run-name]:has-text("to export")');
    runId = Number(await s.page.getAttribute('[data-testid=run-view]', 'data-run-id'));
    await s.page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: 120_000 });
  });

  it('exports the run as ONNX from its page', async () => {
    await s.page.selectOption('[data-testid=export-format]', 'onnx');
    await s.page.click('[data-testid=export-start]');
    const result = s.page.locator('[data-testid=export-result][data-format=onnx]');
    await result.waitFor({ timeout: 120_000 });
    exportDir = (await result.getAttribute('data-dir'))!;
    assert.match(exportDir, /export-onnx$/);
    const manifest = JSON.parse(readFileSync(join(exportDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.format, 'finetune-studio/onnx');
    assert.equal(manifest.runId, String(runId));
    assert.deepEqual(manifest.labels, (await s.h().runs.get({ runId })).classes);
  });

  it('offers the exported files as downloads in the browser, and the download is the file', async () => {
    const links = s.page.locator('[data-testid=export-download]');
    assert.deepEqual((await links.allTextContents()).sort(), ['manifest.json', 'model.onnx']);
    const [download] = await Promise.all([
      s.page.waitForEvent('download'),
      links.filter({ hasText: 'model.onnx' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'model.onnx');
    const saved = join(exportDir, '..', 'downloaded.onnx');
    await download.saveAs(saved);
    assert.deepEqual(readFileSync(saved), readFileSync(join(exportDir, 'model.onnx')));
  });

  it('predicts the test folder with it through `studio predict`, matching the stored test predictions', async () => {
    const csvFile = join(s.tmp, 'predictions.csv');
    const cli = spawnSync(process.execPath, studioArgv('predict', exportDir, join(data(), 'test'), '--out', csvFile), {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /with nsfwjs_mobilenet_v2 \(onnxruntime-cpu\)/);
    const [header, ...lines] = readFileSync(csvFile, 'utf8').trim().split('\n');
    const run = await s.h().runs.get({ runId });
    assert.equal(header, ['path', 'predicted', 'confidence', ...run.classes].join(','));
    const byPath = new Map(
      lines
        .map((l) => l.split(','))
        .map(([path, predicted, , ...probs]) => [path!, { predicted: predicted!, probs: probs.map(Number) }]),
    );
    const stored = (await s.h().runs.predictions({ runId, offset: 0, limit: 200 })).items;
    assert.ok(
      stored.length > 0 && stored.length === byPath.size,
      `${stored.length} stored test predictions, ${byPath.size} CSV rows`,
    );
    for (const p of stored) {
      const { paths } = await s.h().dataset.image({ id: p.imageId });
      const row = paths.map((path) => byPath.get(path)).find(Boolean);
      assert.ok(row, `image ${p.imageId} (${paths[0]}) is in the CSV`);
      assert.equal(row.predicted, run.classes[p.predicted]);
      // The CSV writes 6 decimals: 5e-7 of rounding on top of the 1e-4.
      p.probs.forEach((v, k) =>
        assert.ok(Math.abs(v - row.probs[k]!) < 1e-4 + 5e-7, `image ${p.imageId} class ${k}: ${row.probs[k]} vs ${v}`),
      );
    }
    assert.deepEqual(s.errors, []);
  });
});
