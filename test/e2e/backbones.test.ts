// A Keras ImageNet backbone from the user's own .h5, through the real UI: an empty model
// cache defaults to the bundled NSFW-tuned weights and says so; choosing Keras' MobileNet
// 0.25 shows its weights missing and refuses to start; a wrong file is refused with the
// layer that does not fit; the real Keras file (test/fixtures/keras) imports, is listed as
// present with its checksum, and a short run trains on it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { e2eSetup, importThroughApi } from './harness';
import { writeTinyFixture } from './tiny-fixture';

const FIXTURE = join(import.meta.dirname, '../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5');

describe('Keras ImageNet weights from the UI', () => {
  const s = e2eSetup({
    name: 'keras',
    modelCache: true,
    data: (tmp) => writeTinyFixture(join(tmp, 'fashion')),
    prepare: (e2e) => importThroughApi(e2e, join(e2e.tmp, 'fashion')),
  });

  it('defaults to the bundled weights when no ImageNet weights are present, and says they are NSFW-tuned', async () => {
    await s.page.click('[data-testid=nav-train]');
    await s.page.waitForSelector('[data-testid=nsfw-note]');
    assert.equal(await s.page.inputValue('[data-testid=backbone]'), 'nsfwjs_mobilenet_v2');
    assert.match(
      (await s.page.textContent('[data-testid=use-imagenet]')) ?? '',
      /Download MobileNetV2 1\.0 \(ImageNet\)|Download .*MobileNetV2/,
    );
  });

  it('shows a Keras backbone without weights as missing and will not start it', async () => {
    await s.page.selectOption('[data-testid=backbone]', 'mobilenet_0.25');
    await s.page.waitForSelector('[data-testid=weights][data-present=false]');
    assert.match((await s.page.textContent('[data-testid=weights-missing]')) ?? '', /mobilenet_2_5_224_tf_no_top\.h5/);
    assert.equal(await s.page.isDisabled('[data-testid=run-start]'), true);
    await s.page.waitForSelector('[data-testid=start-needs-weights]');
  });

  it('refuses a file that is not these weights, naming what does not fit, and keeps nothing', async () => {
    const bogus = join(s.tmp, 'not-weights.h5');
    writeFileSync(bogus, 'not an HDF5 file');
    await s.page.fill('[data-testid=import-path]', bogus);
    await s.page.click('[data-testid=import-h5]');
    const err = await s.page.waitForSelector('[data-testid=import-error]');
    assert.match((await err.textContent()) ?? '', /not-weights\.h5/);
    const listed = (await s.h().backbones.list({})).find((b) => b.id === 'mobilenet_0.25')!;
    assert.equal(listed.weights.present, false);
  });

  it('imports the real Keras file, lists it as present with its checksum, and makes it the default', async () => {
    await s.page.fill('[data-testid=import-path]', FIXTURE);
    await s.page.click('[data-testid=import-h5]');
    await s.page.waitForSelector('[data-testid=weights][data-present=true][data-source=import]', { timeout: 60_000 });
    const sha = createHash('sha256').update(readFileSync(FIXTURE)).digest('hex');
    const shown = ((await s.page.textContent('[data-testid=weights-present]')) ?? '').replace(/\s+/g, ' ');
    assert.match(shown, new RegExp(`imported: mobilenet_2_5_224_tf_no_top\\.h5, 2\\.1 MB, sha256 ${sha.slice(0, 12)}`));
    const list = await s.h().backbones.list({});
    const entry = list.find((b) => b.id === 'mobilenet_0.25')!;
    assert.deepEqual(
      [entry.weights.present, entry.weights.source, entry.weights.sha256, entry.recommended],
      [true, 'import', sha, true],
    );
    assert.equal(list.find((b) => b.id === 'nsfwjs_mobilenet_v2')!.recommended, false);
  });

  it('trains a short run on the imported weights', async () => {
    await s.page.selectOption('[data-testid=input-size]', '128');
    await s.page.fill('[data-testid=p1-epochs]', '2');
    await s.page.click('[data-testid=run-start]');
    await s.page.waitForSelector('[data-testid=run-view]');
    await s.page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: 180_000 });
    const runs = await s.h().runs.list({});
    const run = await s.h().runs.get({ runId: runs[0]!.id });
    assert.equal(run.backboneId, 'mobilenet_0.25');
    assert.equal(run.backboneHash, createHash('sha256').update(readFileSync(FIXTURE)).digest('hex'));
    assert.equal(run.epochs, 2);
    assert.ok(run.testAcc !== null && run.testAcc >= 0 && run.testAcc <= 1);
    assert.deepEqual(s.errors, []);
  });
});
