// Starts the real studio server in-process and a real Chromium (Debian's) to drive its UI.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Handlers } from '../../src-shared/contract';
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

export interface E2eOptions {
  /** The temporary folder's prefix: studio-NAME-. */
  name: string;
  /**
   * A project at <tmp>/project, made and open (the default); false starts on the start page.
   * One that `data` wrote there (a pre-made project) is opened as it is.
   */
  project?: boolean;
  /** The project folder's name under <tmp>, where a screenshot shows it. */
  projectName?: string;
  /** Its own model cache at <tmp>/models (for tests that fill or inspect it). */
  modelCache?: boolean;
  configDir?: (tmp: string) => string;
  studio?: StudioOptions;
  /** Writes the test's data (or a whole project) before the studio starts. */
  data?: (tmp: string) => Promise<unknown>;
  /** Runs after the studio starts and before the page opens (weights, an import through the contract). */
  prepare?: (e2e: E2e) => Promise<void>;
  /** What the page shows once it is ready; the project's name (or the start page) unless said. */
  ready?: string;
  /** Runs once the page shows the project (or the start page): an import through the UI, a first click. */
  opened?: (e2e: E2e) => Promise<void>;
}

/** What a test file's shared set-up made; read its fields inside tests and hooks, once `before` has run. */
export interface E2e {
  tmp: string;
  running: RunningStudio;
  browser: Browser;
  page: Page;
  /** Uncaught page errors: a test that ends with none asserts this is empty. */
  errors: string[];
  /** The studio's handlers, for set-up and for checking what the page shows against the contract. */
  h(): Handlers;
}

/**
 * The one set-up of an end-to-end test file: a temporary folder, the studio on it, Chromium
 * on the page once it shows the project (or the start page), and everything closed in
 * order after the file. Call it inside `describe`, before the tests.
 */
export function e2eSetup(opts: E2eOptions): E2e {
  const e2e = blankE2e();
  before(() => fillE2e(e2e, opts));
  after(() => closeE2e(e2e));
  return e2e;
}

/** The same set-up outside a test file (the screenshot scripts); end it with `closeE2e`. */
export async function openE2e(opts: E2eOptions): Promise<E2e> {
  const e2e = blankE2e();
  try {
    await fillE2e(e2e, opts);
  } catch (err) {
    await closeE2e(e2e);
    throw err;
  }
  return e2e;
}

/** Closes whatever part of an end-to-end set-up was made, even one that failed half-way. */
export function closeE2e(e2e: E2e): Promise<void> {
  // The fields are unset until made; a failed `before` leaves some of them so.
  const made = e2e as Partial<E2e>;
  return closeAll(made.browser, made.running, made.tmp);
}

function blankE2e(): E2e {
  const e2e = { errors: [] as string[], h: () => e2e.running.studio.handlers() } as E2e;
  return e2e;
}

async function fillE2e(e2e: E2e, opts: E2eOptions): Promise<void> {
  e2e.tmp = mkdtempSync(join(tmpdir(), `studio-${opts.name}-`));
  await opts.data?.(e2e.tmp);
  e2e.running = await startStudio({
    projectDir: opts.project === false ? undefined : join(e2e.tmp, opts.projectName ?? 'project'),
    create: true,
    modelCacheDir: opts.modelCache ? join(e2e.tmp, 'models') : undefined,
    configDir: opts.configDir?.(e2e.tmp),
    studio: opts.studio,
  });
  await opts.prepare?.(e2e);
  e2e.browser = await launchBrowser();
  e2e.page = await openPage(e2e.browser, e2e.running.url, e2e.errors);
  await e2e.page.waitForSelector(
    opts.ready ?? (opts.project === false ? '[data-testid=project-screen]' : '[data-testid=project-name]'),
  );
  await opts.opened?.(e2e);
}

/** Imports `folder` through the contract (allowing it first, as a person choosing it would) and waits until it is in. */
export async function importThroughApi(e2e: E2e, folder: string): Promise<void> {
  await e2e.h().folders.pick({ path: folder });
  await e2e.h().imports.start({ folder });
  await e2e.running.studio.idle();
}
