// Starts the real studio server in-process and a real Chromium (Debian's) to drive its UI.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer } from '../../src-main/server/server';
import { Studio, type StudioOptions } from '../../src-main/services/studio';

export const RENDERER_DIR = join(import.meta.dirname, '../../dist/renderer');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningStudio {
  studio: Studio;
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * Each studio gets its own empty model cache unless a test shares one: the user's is never
 * touched. Without `projectDir` it starts on the start page.
 */
export async function startStudio(opts: {
  projectDir?: string;
  create?: boolean;
  modelCacheDir?: string;
  configDir?: string;
  studio?: StudioOptions;
}): Promise<RunningStudio> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('Build the renderer first: npx vite build');
  const studio = new Studio({
    modelCacheDir: opts.modelCacheDir ?? mkdtempSync(join(tmpdir(), 'studio-models-')),
    configDir: opts.configDir,
    ...opts.studio,
  });
  if (opts.projectDir) studio.open({ path: opts.projectDir, create: opts.create ?? true });
  const server = await startServer({ studio, rendererDir: RENDERER_DIR });
  return {
    studio,
    url: server.url,
    token: server.token,
    async close() {
      await server.close();
      await studio.idle();
      studio.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page at the studio's URL, the size screenshots use, collecting uncaught page errors into `errors`. */
export async function openPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  return page;
}

/** Imports `folder` through the Dataset page's import form and waits until the grid shows `count` images. */
export async function importThroughUi(page: Page, folder: string, count: number): Promise<void> {
  await page.click('[data-testid=nav-dataset]');
  await page.click('[data-testid=import-open]');
  await page.fill('[data-testid=import-folder]', folder);
  await page.click('[data-testid=import-start]');
  await page.waitForSelector('[data-testid=import-progress][data-status=done]', { timeout: 60_000 });
  await page.waitForSelector(`[data-testid=total-count][data-total="${count}"]`);
}

/** Chromium with a page on the studio, once its project shows. */
export async function openUi(url: string, errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  const page = await openPage(browser, url, errors);
  await page.waitForSelector('[data-testid=project-name]');
  return { browser, page };
}

/** Ends what a test opened, in order: the browser, the studio, then its temporary folder. */
export async function closeAll(
  browser: Browser | undefined,
  running: RunningStudio | undefined,
  tmp: string | undefined,
): Promise<void> {
  await browser?.close();
  await running?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
