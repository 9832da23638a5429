// Regenerates the run screenshots in docs/screenshots/ from the real app in Chromium, on a
// small generated Fashion-MNIST project (4 classes, unsplit, with re-shot copies) and Keras'
// real MobileNet 0.25 weights from ../shared/fixtures/keras:
//   health-after-split.png  Health right after "Split…": the copies kept in one split, 0 leaking
//   run-live.png            a default run while it trains
//   run-done.png            the same run finished
//   doctor-healthy.png      its training doctor: no PROBLEM on a healthy default run
//   bakeoff.png             a bake-off of MobileNet 0.25 and MobileNetV2 on one plan
// Each step waits for what the page shows, and the script fails if a picture would not show
// what its name says (a leaking cluster after the split, a PROBLEM on the healthy run).
//   npx vite build && npx tsx scripts/screenshots-runs.ts
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { FASHION_CLASSES, imagePixels, readIdx } from './fashion-mnist';
import { closeE2e, importThroughApi, openE2e } from '../test/e2e/harness';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const WEIGHTS = join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'keras', 'mobilenet_2_5_224_tf_no_top.h5');
const CLASSES = ['T-shirt_top', 'Trouser', 'Sneaker', 'Bag'] as const;
const PER_CLASS = 40;
const TIMEOUT = 600_000;

/** Class folders with no split, and for each class two training images shot again (cropped, brightened, as JPEG). */
async function writeData(root: string): Promise<number> {
  const set = readIdx('train');
  let written = 0;
  for (const name of CLASSES) {
    const label = FASHION_CLASSES.indexOf(name);
    mkdirSync(join(root, name), { recursive: true });
    const picked: number[] = [];
    for (let i = 0; i < set.count && picked.length < PER_CLASS; i++) if (set.labels[i] === label) picked.push(i);
    for (const i of picked) {
      const raw = { raw: { width: set.cols, height: set.rows, channels: 1 as const } };
      await sharp(imagePixels(set, i), raw)
        .png()
        .toFile(join(root, name, `${i}.png`));
      written++;
    }
    for (const i of picked.slice(0, 2)) {
      await sharp(imagePixels(set, i), { raw: { width: set.cols, height: set.rows, channels: 1 } })
        .extract({ left: 1, top: 0, width: 27, height: 27 })
        .linear(1.1, 0)
        .jpeg({ quality: 80 })
        .toFile(join(root, name, `${i}-reshot.jpg`));
      written++;
    }
  }
  return written;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`screenshot would not show what it should: ${what}`);
}

async function splitAndShoot(page: Page): Promise<void> {
  await page.click('[data-testid=nav-health]');
  await page.click('[data-testid=open-split]');
  await page.fill('[data-testid=split-val]', '15');
  await page.fill('[data-testid=split-test]', '15');
  await page.click('[data-testid=split-confirm]');
  await page.waitForSelector('[data-testid=split-dialog]', { state: 'detached' });
  await page.waitForSelector('[data-testid=cluster]', { timeout: TIMEOUT });
  await page.waitForFunction(() => /Split \d+ \/ \d+ \/ \d+/.test(document.body.textContent ?? ''));
  check((await page.locator('[data-testid=cluster][data-leaking=true]').count()) === 0, 'no leaking cluster');
  await page.screenshot({ path: join(OUT, 'health-after-split.png') });
}

async function trainAndShoot(page: Page): Promise<void> {
  await page.click('[data-testid=nav-train]');
  await page.selectOption('[data-testid=backbone]', 'mobilenet_0.25');
  await page.selectOption('[data-testid=input-size]', '128');
  await page.fill('[data-testid=run-name]', 'MobileNet 0.25, 128 px, defaults');
  await page.click('[data-testid=run-start]');
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid=run-status]')?.getAttribute('data-status') === 'running' &&
      Number(document.querySelector('[data-testid=run-epochs]')?.textContent) >= 3,
    undefined,
    { timeout: TIMEOUT },
  );
  await page.screenshot({ path: join(OUT, 'run-live.png') });
  await page.waitForSelector('[data-testid=run-status][data-status=done]', { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid=findings][data-final=true]', { timeout: TIMEOUT });
  await page.screenshot({ path: join(OUT, 'run-done.png') });
  const findings = page.locator('[data-testid=findings]');
  const problems = await findings.locator('[data-testid=finding][data-severity=problem]').allTextContents();
  check(problems.length === 0, `no PROBLEM on the healthy default run, got: ${problems.join(' | ')}`);
  await findings.screenshot({ path: join(OUT, 'doctor-healthy.png') });
}

async function bakeoffAndShoot(page: Page): Promise<void> {
  await page.click('[data-testid=nav-train]');
  await page.fill('[data-testid=p1-epochs]', '4');
  await page.fill('[data-testid=run-name]', 'MobileNet 0.25 vs MobileNetV2');
  await page.click('[data-testid=bakeoff-launcher] summary');
  await page.check('[data-testid=bakeoff-pick][data-id="mobilenet_0.25"]');
  await page.selectOption('[data-testid=bakeoff-size][data-id="mobilenet_0.25"]', '128');
  await page.check('[data-testid=bakeoff-pick][data-id="nsfwjs_mobilenet_v2"]');
  await page.selectOption('[data-testid=bakeoff-size][data-id="nsfwjs_mobilenet_v2"]', '96');
  await page.click('[data-testid=bakeoff-start]');
  await page.waitForSelector('[data-testid=run-view]');
  await page.click('[data-testid=nav-runs]');
  await page.waitForSelector('[data-testid=bakeoff-row][data-status=done] >> nth=1', { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid=pareto-chart][data-points="2"]');
  await page
    .locator('[data-testid=bakeoff]')
    .first()
    .screenshot({ path: join(OUT, 'bakeoff.png') });
}

async function main(): Promise<void> {
  if (!existsSync(WEIGHTS)) throw new Error(`No MobileNet 0.25 weights at ${WEIGHTS} (the shared Keras fixtures).`);
  let count = 0;
  mkdirSync(OUT, { recursive: true });
  const e2e = await openE2e({
    name: 'shots-runs',
    projectName: 'fashion-project',
    modelCache: true,
    data: async (tmp) => (count = await writeData(join(tmp, 'fashion'))),
    prepare: async (s) => {
      await s.running.studio.backbones.import({ file: WEIGHTS, id: 'mobilenet_0.25' });
      await importThroughApi(s, join(s.tmp, 'fashion'));
    },
  });
  try {
    const page = e2e.page;
    await page.waitForSelector(`[data-testid=total-count][data-total="${count}"]`);
    await splitAndShoot(page);
    await trainAndShoot(page);
    await bakeoffAndShoot(page);
    console.log(`wrote 5 screenshots to ${OUT}`);
  } finally {
    await closeE2e(e2e);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
