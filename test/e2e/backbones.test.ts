// A Keras ImageNet backbone from the user's own .h5, through the real UI: an empty model
// cache defaults to the bundled NSFW-tuned weights and says so; choosing Keras' MobileNet
// 0.25 shows its weights missing and refuses to start; a wrong file is refused with the
// layer that does not fit; the real Keras file (test/fixtures/keras) imports, is listed as
// present with its checksum, and a short run trains on it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startStudio, type RunningStudio, openUi, closeAll } from './harness';
import { writeTinyFixture } from './tiny-fixture';

const FIXTURE = join(import.meta.dirname, '../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');

describe('Keras ImageNet weights from the UI', () => {
  let tmp: string;
  let running: RunningStudio;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const h = () => running.studio.handlers();

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'studio-keras-'));
    const data = join(tmp, 'fashion');
    await writeTinyFixture(data);
    running = await startStudio({ projectDir: join(tmp, 'project'), create: true, modelCacheDir: join(tmp, 'models') });
    await h().folders.pick({ path: data });
    await h().imports.start({ folder: data });
    await running.studio.idle();
    ({ browser, page } = await openUi(running.url, pageErrors));
  });

  after(async () => {
    await closeAll(browser, running, tmp);
  });

  it('defaults to the bundled weights when no ImageNet weights are present, and says they are NSFW-tuned', async () => {
    await page.click('[data-testid=nav-train]');
    await page.waitForSelector('[data-testid=nsfw-note]');
    assert.equal(await page.inputValue('[data-testid=backbone]'), 'nsfwjs_mobilenet_v2');
    assert.match(
      (await page.textContent('[data-testid=use-imagenet]')) ?? '',
      /Download MobileNetV2 1\.0 \(ImageNet\)|Download .*MobileNetV2/,
    );
  });

  it('shows a Keras backbone without weights as missing and will not start it', async () => {
    await page.selectOption('[data-testid=backbone]', 'mobilenet_0.25');
    await page.waitForSelector('[data-testid=weights][data-present=false]');
    assert.match((await page.textContent('[data-testid=weights-missing]')) ?? '', /mobilenet_2_5_224_tf_no_top\.h5/);
    assert.equal(await page.isDisabled('[data-testid=run-start]'), true);
    await page.waitForSelector('[data-testid=start-needs-weights]');
  });

  it('refuses a file that is not these weights, naming what does not fit, and keeps nothing', async () => {
    const bogus = join(tmp, 'not-weights.h5');
    writeFileSync(bogus, 'not an HDF5 file');
    await page.fill('[data-testid=import-path]', bogus);
    await page.click('[data-testid=import-h5]');
    const err = await page.waitForSelector('[data-testid=import-error]');
    assert.match((await err.textContent()) ?? '', /not-weights\.h5/);
    const listed = (await h().backbones.list({})).find((b) => b.id === 'mobilenet_0.25')!;
    assert.equal(listed.weights.present, false);
  });

  it('imports the real Keras file, lists it as present with its checksum, and makes it the default', async () => {
    await page.fill('[data-testid=import-path]', FIXTURE);
    await page.click('[data-testid=import-h5]');
    await page.waitForSelector('[data-testid=weights][data-present=true][data-source=import]', { timeout: 60_000 });
    const sha = createHash('sha256').update(readFileSync(FIXTURE)).digest('hex');
    const shown = ((await page.textContent('[data-testid=weights-present]')) ?? '').replace(/\s+/g, ' ');
    assert.match(shown, new RegExp(`imported: mobilenet_2_5_224_tf_no_top\\.h5, 2\\.1 MB, sha256 ${sha.slice(0, 12)}`));
    const list = await h().backbones.list({});
    const entry = list.find((b) => b.id === 'mobilenet_0.25')!;
    assert.deepEqual(
      [entry.weights.present, entry.weights.source, entry.weights.sha256, entry.recommended],
      [true, 'import', sha, true],
    );
    assert.equal(list.find((b) => b.id === 'nsfwjs_mobilenet_v2')!.recommended, false);
  });

  it('trains a short run on the imported weights', async () => {
    await page.selectOption('[data-testid=input-size]', '128');
    await page.fill('[data-testid=p1-epochs]', '2');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-view]');
    await page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: 180_000 });
    const runs = await h().runs.list({});
    const run = await h().runs.get({ runId: runs[0]!.id });
    assert.equal(run.backboneId, 'mobilenet_0.25');
    assert.equal(run.backboneHash, createHash('sha256').update(readFileSync(FIXTURE)).digest('hex'));
    assert.equal(run.epochs, 2);
    assert.ok(run.testAcc !== null && run.testAcc >= 0 && run.testAcc <= 1);
    assert.deepEqual(pageErrors, []);
  });
});
