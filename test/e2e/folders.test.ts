// Choosing folders in a browser window, through the real UI and server: the folder browser
// the server offers, a project created and a folder imported through it, the recent
// projects on the start page, and a typed path outside what may be chosen refused in words.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makeImage } from '../fixtures/images';
import { e2eSetup } from './harness';

describe('folders chosen in the browser', () => {
  const s = e2eSetup({
    name: 'folders',
    project: false,
    configDir: (tmp) => join(tmp, 'config'),
    data: async (tmp) => {
      mkdirSync(join(tmp, 'projects', 'alpha'), { recursive: true });
      mkdirSync(join(tmp, 'projects', 'beta'));
      for (let i = 0; i < 6; i++) {
        const folder = join(tmp, 'images', i % 2 ? 'cat' : 'dog');
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, `${i}.jpg`), await makeImage(i, 'jpeg', 32, 24));
      }
    },
  });

  it('creates a project in a folder chosen in the folder browser', async () => {
    await s.page.fill('[data-testid=project-path]', join(s.tmp, 'projects'));
    await s.page.click('[data-testid=project-path-browse]');
    await s.page.waitForSelector('[data-testid=folder-picker]');
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      join(s.tmp, 'projects'),
    );
    assert.deepEqual(await s.page.locator('[data-testid=folder-entry] .entry-name').allTextContents(), [
      'alpha',
      'beta',
    ]);
    // At a root the up button is off and says why.
    const root = s.page.locator(`[data-testid=folder-picker] .roots button[title="${tmpdir()}"]`).first();
    await root.click();
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      tmpdir(),
    );
    assert.equal(await s.page.isDisabled('[data-testid=folder-up]'), true);
    assert.match(
      (await s.page.getAttribute('[data-testid=folder-up]', 'title')) ?? '',
      /top of a place.*STUDIO_FOLDERS/,
    );
    // ...and says it to a screen reader too, as the button's description.
    const described = await s.page.getAttribute('[data-testid=folder-up]', 'aria-describedby');
    assert.match((await s.page.textContent(`[id="${described}"]`)) ?? '', /top of a place.*STUDIO_FOLDERS/);
    await s.page.click('[data-testid=folder-picker] button:has-text("Cancel")');
    await s.page.waitForSelector('[data-testid=folder-picker]', { state: 'detached' });
    await s.page.click('[data-testid=project-path-browse]');
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      join(s.tmp, 'projects'),
    );
    await s.page.click('[data-testid=folder-entry]:has-text("alpha")');
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      join(s.tmp, 'projects', 'alpha'),
    );
    await s.page.click('[data-testid=folder-up]');
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      join(s.tmp, 'projects'),
    );
    await s.page.click('[data-testid=folder-entry]:has-text("alpha")');
    await s.page.click('[data-testid=folder-choose]');
    await s.page.waitForSelector('[data-testid=folder-picker]', { state: 'detached' });
    await waitForValue(s.page, '[data-testid=project-path]', join(s.tmp, 'projects', 'alpha'));
    await s.page.click('[data-testid=project-create]');
    await s.page.waitForSelector('[data-testid=project-name]');
    assert.equal(await s.page.textContent('[data-testid=project-name]'), 'alpha');
  });

  it('imports a folder chosen in the folder browser', async () => {
    await s.page.click('[data-testid=nav-dataset]');
    await s.page.click('[data-testid=import-open]');
    await s.page.fill('[data-testid=import-folder]', s.tmp);
    await s.page.click('[data-testid=import-folder-browse]');
    await s.page.click('[data-testid=folder-entry]:has-text("images")');
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      join(s.tmp, 'images'),
    );
    await s.page.click('[data-testid=folder-choose]');
    // Choosing allows the folder over the wire first and fills the field after: wait for both.
    await s.page.waitForSelector('[data-testid=folder-picker]', { state: 'detached' });
    await waitForValue(s.page, '[data-testid=import-folder]', join(s.tmp, 'images'));
    await s.page.click('[data-testid=import-start]');
    await s.page.waitForSelector('[data-testid=import-progress][data-status=done]', { timeout: 60_000 });
    await s.page.waitForSelector('[data-testid=total-count][data-total="6"]');
  });

  it('lists the project under recent projects and opens it from there', async () => {
    await s.page.click('[data-testid=project-close]');
    await s.page.waitForSelector('[data-testid=project-screen]');
    // The recent list arrives after the screen: wait for it before counting.
    await s.page.waitForSelector('[data-testid=recent-project]');
    const recent = s.page.locator('[data-testid=recent-project]');
    assert.equal(await recent.count(), 1);
    assert.match(
      (await recent.textContent()) ?? '',
      new RegExp(`alpha\\s*${join(s.tmp, 'projects', 'alpha').replaceAll('/', '\\/')}`),
    );
    await recent.locator('button.recent').click();
    await s.page.waitForSelector('[data-testid=project-name]');
    assert.equal(await s.page.textContent('[data-testid=project-name]'), 'alpha');
    await s.page.click('[data-testid=project-close]');
  });

  it('opens an empty field at the folder used last, and makes a new folder there, naming what is wrong', async () => {
    await s.page.fill('[data-testid=project-path]', '');
    await s.page.click('[data-testid=project-path-browse]');
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      join(s.tmp, 'images'),
    );
    await s.page.click('[data-testid=folder-new]');
    for (const [name, why] of [
      ['a/b', /contains \/ or \\/],
      ['cat', /"cat" already exists in /],
      ['..', /not a folder name/],
      ['  ', /empty/],
    ] as const) {
      await s.page.fill('[data-testid=folder-new-name]', name);
      await s.page.click('[data-testid=folder-new-create]');
      // Each refusal replaces the last one's words.
      await s.page.locator('[data-testid=folder-new-error]', { hasText: why }).waitFor();
    }
    assert.equal(existsSync(join(s.tmp, 'a')), false);
    await s.page.fill('[data-testid=folder-new-name]', 'runs 2026');
    await s.page.press('[data-testid=folder-new-name]', 'Enter');
    await s.page.waitForFunction(
      (here) => document.querySelector('[data-testid=folder-here]')?.textContent === here,
      join(s.tmp, 'images', 'runs 2026'),
    );
    assert.ok(statSync(join(s.tmp, 'images', 'runs 2026')).isDirectory());
    await s.page.click('[data-testid=folder-up]');
    await s.page.waitForSelector('[data-testid=folder-entry]:has-text("runs 2026")');
    await s.page.click('[data-testid=folder-picker] button:has-text("Cancel")');
    await s.page.waitForSelector('[data-testid=folder-picker]', { state: 'detached' });
  });

  it('refuses a typed folder outside what may be chosen, saying how to allow it', async () => {
    await s.page.fill('[data-testid=project-path]', '/etc');
    await s.page.click('[data-testid=project-open]');
    const error = await s.page.waitForSelector('[data-testid=project-error]');
    assert.match(
      (await error.textContent()) ?? '',
      /^\/etc is outside the folders the studio may open from a browser .*STUDIO_FOLDERS/,
    );
    assert.deepEqual(s.errors, []);
  });
});

/** Waits until the field holds `value`; a field that never gets it fails with what it held. */
async function waitForValue(page: Page, selector: string, value: string): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel) as HTMLInputElement | null)?.value === want,
      [selector, value],
      { timeout: 10_000 },
    );
  } catch {
    assert.equal(await page.inputValue(selector), value);
  }
}
