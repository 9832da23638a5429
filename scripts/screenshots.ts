// Regenerates docs/screenshots/*.png: starts the real server on a generated small project
// (a Fashion-MNIST slice with a few broken files), drives Debian's Chromium at 1440x900
// through import, labelling, the head editor, the launcher, two real training runs,
// their comparison and evaluation, the problems page, and the Health page with a leaking copy.
//   npx vite build && npx tsx scripts/screenshots.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FASHION_CLASSES, imagePixels, readIdx } from './fashion-mnist';
import { closeE2e, openE2e } from '../test/e2e/harness';
import { writeTinyFixture } from '../test/e2e/tiny-fixture';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const TIMEOUT = 180_000;

async function writeData(root: string): Promise<void> {
  await writeTinyFixture(root, {
    classes: ['T-shirt_top', 'Trouser', 'Sneaker', 'Bag'],
    perSplit: { train: 16, val: 5, test: 6 },
  });
  const set = readIdx('t10k');
  for (let k = 0; k < 8; k++) {
    await sharp(imagePixels(set, set.count - 100 - k), { raw: { width: set.cols, height: set.rows, channels: 1 } })
      .png()
      .toFile(join(root, `loose-${k}.png`));
  }
  // A training sneaker shot again for the test set (cropped, brightened, re-encoded): the
  // Health page flags it as leakage.
  const train = readIdx('train');
  const sneaker = train.labels.indexOf(FASHION_CLASSES.indexOf('Sneaker'));
  await sharp(imagePixels(train, sneaker), { raw: { width: train.cols, height: train.rows, channels: 1 } })
    .extract({ left: 1, top: 0, width: 27, height: 27 })
    .linear(1.1, 0)
    .jpeg({ quality: 80 })
    .toFile(join(root, 'test', 'Sneaker', 'reshot.jpg'));
  writeFileSync(join(root, 'train', 'Bag', 'notes.png'), 'These are my notes, not a picture.\n');
  writeFileSync(join(root, 'test', 'Trouser', 'empty.png'), '');
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const e2e = await openE2e({
    name: 'shots',
    projectName: 'demo-project',
    data: (tmp) => writeData(join(tmp, 'fashion')),
  });
  const data = join(e2e.tmp, 'fashion');
  try {
    const page = e2e.page;
    const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });
    await page.click('[data-testid=import-open]');
    await page.fill('[data-testid=import-folder]', data);
    await page.click('[data-testid=import-start]');
    await page.waitForSelector('[data-testid=import-progress][data-status=done]', { timeout: TIMEOUT });
    await page.click('[data-testid=import-dismiss]');
    await page.waitForSelector('[data-testid=grid-cell]');
    await shot('dataset');

    await page.click('[data-testid=class-unlabeled]');
    await page.locator('[data-testid=grid-cell]').nth(0).click();
    await page
      .locator('[data-testid=grid-cell]')
      .nth(3)
      .click({ modifiers: ['Shift'] });
    await page.waitForSelector('[data-testid=selection-count][data-count="4"]');
    await shot('labeling');

    await page.click('[data-testid=nav-train]');
    await page.selectOption('[data-testid=backbone]', 'nsfwjs_inception_v3');
    await page.selectOption('[data-testid=head-pooling]', 'flatten');
    await page.click('[data-testid=head-add-dense]');
    await page.locator('[data-testid=head-units]').last().fill('1024');
    await page.click('[data-testid=head-add-dropout]');
    await page.waitForSelector('[data-testid=head-warning]');
    await shot('head-editor');

    await page.selectOption('[data-testid=backbone]', 'nsfwjs_mobilenet_v2');
    await page.selectOption('[data-testid=head-pooling]', 'avg');
    await page.locator('[data-testid=head-units]').last().fill('64');
    await page.locator('[data-testid=head-remove]').last().click();
    await page.selectOption('[data-testid=input-size]', '96');
    await page.fill('[data-testid=p1-epochs]', '8');
    await page.click('[data-testid=p2-on]');
    await page.click('[data-testid=lr-range-run]');
    await page.waitForSelector('[data-testid=lr-chart], [data-testid=lr-error]', { timeout: TIMEOUT });
    const lrError =
      (await page.locator('[data-testid=lr-error]').count()) > 0
        ? await page.textContent('[data-testid=lr-error]')
        : null;
    if (lrError) console.warn(`LR range test: ${lrError}`);
    // Shown for the picture only: the engine does not yet accept an augment config (see the report).
    await page.click('[data-testid=augment-on]');
    await page.waitForSelector('[data-testid=augment-preview] img');
    await shot('train');
    await page.click('[data-testid=augment-on]');

    await page.fill('[data-testid=run-name]', 'MobileNetV2 96 px, dense 64, two phases');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: TIMEOUT });
    await shot('run');
    await page.waitForSelector('[data-testid=findings][data-final=true]', { timeout: TIMEOUT });
    await page.locator('[data-testid=findings]').screenshot({ path: join(OUT, 'findings.png') });

    await page.click('[data-testid=nav-train]');
    await page.click('[data-testid=p2-on]');
    await page.fill('[data-testid=p1-lr]', '0.01');
    await page.fill('[data-testid=run-name]', 'MobileNetV2 96 px, lr 0.01, phase 1 only');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: TIMEOUT });
    await page.click('[data-testid=nav-runs]');
    const rows = page.locator('[data-testid=run-row]');
    await rows.nth(1).waitFor();
    await rows.nth(0).locator('[data-testid=run-compare]').check();
    await rows.nth(1).locator('[data-testid=run-compare]').check();
    await page.waitForSelector('[data-testid=compare][data-runs="2"]');
    await page.waitForSelector('[data-testid=compare-field][data-differs=true]');
    await shot('runs-compare');

    await page.locator('[data-testid=run-open]').nth(1).click();
    await page.waitForSelector('[data-testid=confusion]');
    const offDiagonal = page.locator('[data-testid=cm-cell]:not([disabled]):not(.diag)');
    const cell =
      (await offDiagonal.count()) > 0
        ? offDiagonal.first()
        : page.locator('[data-testid=cm-cell]:not([disabled])').first();
    await cell.click();
    await page.waitForSelector('[data-testid=gallery-item]');
    await page.evaluate(() => document.querySelector('[data-testid=evaluation]')?.scrollIntoView({ block: 'start' }));
    await shot('evaluation');

    await page.click('[data-testid=nav-problems]');
    await page.waitForSelector('[data-testid=problems-view] [data-testid=problem-kind]');
    await shot('problems');

    await page.click('[data-testid=nav-health]');
    await page.waitForSelector('[data-testid=cluster][data-leaking=true]', { timeout: TIMEOUT });
    await shot('health');
    console.log(`wrote 10 screenshots to ${OUT}`);
  } finally {
    await closeE2e(e2e);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
