// Curation in the real UI, against the real server and database: a split grouped by a
// file-name pattern made in the Split dialog leaves no group straddling splits; a brightened,
// resized copy planted in test/ is flagged as leaking on the Health page, one click keeps it
// in one split, and an undo brings the leak back. Every wait is for something the UI shows.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeCopiesDataset, writeGroupedDataset, writeLeakyDataset } from '../fixtures/curation-dataset';
import { e2eSetup, importThroughApi, type E2e } from './harness';

const SCREENSHOTS = join(import.meta.dirname, '../../test-results');

/** A studio on a project of what `write` puts in <tmp>/data, imported, with the Health page open. */
function healthSetup(name: string, write: (root: string) => Promise<unknown>): E2e {
  return e2eSetup({
    name,
    data: (tmp) => write(join(tmp, 'data')),
    prepare: (e2e) => importThroughApi(e2e, join(e2e.tmp, 'data')),
    opened: async ({ page }) => {
      await page.click('[data-testid=nav-health]');
      await page.waitForSelector('[data-testid=class-balance]');
    },
  });
}

describe('curation on the Health page', () => {
  describe('a split grouped by file name', () => {
    let images = 0;
    const s = healthSetup('curation-groups', async (root) => (images = await writeGroupedDataset(root, 3, 8, 3)));
    it('splits with a file-name group key through the dialog, and no group straddles splits', async () => {
      const { running, page } = s;
      await page.click('[data-testid=open-split]');
      await page.fill('[data-testid=split-val]', '20');
      await page.fill('[data-testid=split-test]', '20');
      await page.fill('[data-testid=split-seed]', '11');
      await page.selectOption('[data-testid=split-group-kind]', 'pattern');
      await page.fill('[data-testid=split-regex]', '^(P\\d+)_');
      await page.click('[data-testid=split-confirm]');
      await page.waitForSelector('[data-testid=toast-message]:has-text("in 24 groups")');
      const db = running.studio.project!.db;
      const rows = db.prepare('SELECT group_key AS g, split FROM images').all() as {
        g: string;
        split: string | null;
      }[];
      assert.equal(rows.length, images);
      const byGroup = new Map<string, Set<string | null>>();
      for (const r of rows) byGroup.set(r.g, (byGroup.get(r.g) ?? new Set()).add(r.split));
      assert.equal(byGroup.size, 24);
      for (const [g, splits] of byGroup) assert.equal(splits.size, 1, `group ${g} straddles ${[...splits].join(', ')}`);
      assert.deepEqual(new Set(rows.map((r) => r.split)), new Set(['train', 'val', 'test']));
    });
  });

  describe('a planted leak', () => {
    let planted = { source: '', copy: '' };
    const s = healthSetup('curation-leak', async (root) => (planted = await writeLeakyDataset(root)));
    it('flags a planted near-duplicate across train and test, fixes it with one click, and undo brings it back', async () => {
      const { running, page } = s;
      const h = running.studio.handlers();
      const cluster = (await h.curation.duplicates({})).clusters.find((c) =>
        c.members.some((m) => m.path === planted.copy),
      );
      assert.ok(cluster, 'the planted copy is found');
      const row = page.locator(`[data-testid=cluster][data-cluster-id="${cluster.id}"]`);
      await page.waitForSelector(`[data-testid=cluster][data-cluster-id="${cluster.id}"][data-leaking=true]`);
      await page.waitForSelector('[data-testid=finding-leakage]');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'health-leak.png'), fullPage: true });
      await row.locator('[data-testid=fix-cluster]').click();
      await page.waitForSelector(`[data-testid=cluster][data-cluster-id="${cluster.id}"][data-leaking=false]`);
      const splitOf = (id: number) =>
        (running.studio.project!.db.prepare('SELECT split FROM images WHERE id = ?').get(id) as { split: string })
          .split;
      assert.equal(new Set(cluster.members.map((m) => splitOf(m.id))).size, 1);
      assert.deepEqual(
        await row.locator('[data-testid=member-split]').allTextContents(),
        cluster.members.map(() => 'train'),
      );
      await page.click('[data-testid=undo]');
      await page.waitForSelector(`[data-testid=cluster][data-cluster-id="${cluster.id}"][data-leaking=true]`);
      assert.deepEqual(
        cluster.members.map((m) => splitOf(m.id)),
        ['train', 'test'],
      );
      assert.deepEqual(s.errors, []);
    });
  });

  describe('planted copies', () => {
    const s = healthSetup('curation-copies', (root) => writeCopiesDataset(root, 3, 16, 12));
    it('a split from the dialog keeps planted copies together (0 leaking); findings show their images; copies are excluded with undo, and from the grid with X; ? lists the shortcuts', async () => {
      const { running, page } = s;
      const db = running.studio.project!.db;
      await page.click('[data-testid=open-split]');
      // Number fields look like the text fields, not disabled grey on grey.
      const look = (sel: string) =>
        page.$eval(sel, (el) => [
          getComputedStyle(el).backgroundColor,
          getComputedStyle(el).color,
          getComputedStyle(el).opacity,
        ]);
      await page.selectOption('[data-testid=split-group-kind]', 'pattern');
      assert.deepEqual(await look('[data-testid=split-val]'), await look('[data-testid=split-regex]'));
      await page.selectOption('[data-testid=split-group-kind]', 'none');
      await page.fill('[data-testid=split-val]', '20');
      await page.fill('[data-testid=split-test]', '20');
      await page.fill('[data-testid=split-seed]', '5');
      assert.equal(await page.isChecked('[data-testid=split-keep-clusters]'), true, 'keeping clusters is the default');
      await page.click('[data-testid=split-confirm]');
      await page.waitForSelector('[data-testid=toast-message]:has-text("near-duplicate clusters kept together")');
      await page.waitForSelector('section[aria-label="Near-duplicate clusters"] h3:has-text(", 0 leaking)")');
      assert.equal(await page.locator('[data-testid=finding-leakage]').count(), 0);
      assert.equal((await running.studio.handlers().curation.health({})).leaking, 0);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'health-after-split.png'), fullPage: true });
      // The near-duplicates finding lists its images on a click.
      const finding = page.locator('[data-testid=finding-near-duplicates]');
      await finding.locator('[data-testid=finding-show]').click();
      assert.ok((await finding.locator('[data-testid=finding-images] img').count()) >= 2);
      // Exclude one cluster's copies: it is settled and leaves the list; undo from the toast brings it back.
      const clusters = () => page.locator('[data-testid=cluster]').count();
      const before = await clusters();
      const first = page.locator('[data-testid=cluster]').first();
      const clusterId = await first.getAttribute('data-cluster-id');
      await first.locator('[data-testid=exclude-copies]').click();
      await page.waitForSelector(`[data-testid=cluster][data-cluster-id="${clusterId}"]`, { state: 'detached' });
      assert.equal(await clusters(), before - 1);
      const excluded = () =>
        (db.prepare('SELECT count(*) AS n FROM images WHERE excluded = 1').get() as { n: number }).n;
      assert.ok(excluded() >= 1);
      await page.click('[data-testid=toast-action]:has-text("Undo")');
      await page.waitForSelector(`[data-testid=cluster][data-cluster-id="${clusterId}"]`);
      assert.equal(excluded(), 0);
      // In the grid: X excludes the picked image, which shows as excluded; Shift+X includes it again.
      await page.click('[data-testid=nav-dataset]');
      const cell = page.locator('[data-testid=grid-cell][data-index="0"]');
      await cell.click();
      await page.keyboard.press('x');
      await page.waitForSelector('[data-testid=grid-cell][data-index="0"][data-excluded=true]');
      assert.equal(excluded(), 1);
      await page.keyboard.press('Shift+X');
      await page.waitForSelector('[data-testid=grid-cell][data-index="0"][data-excluded=false]');
      assert.equal(excluded(), 0);
      // ? opens the list of shortcuts, X among them.
      await page.keyboard.press('?');
      await page.waitForSelector('[data-testid=shortcut-sheet] dd:has-text("exclude the picked images")');
      await page.click('[data-testid=shortcut-sheet-close]');
      await page.waitForSelector('[data-testid=shortcut-sheet]', { state: 'detached' });
      assert.deepEqual(s.errors, []);
    });
  });
});
