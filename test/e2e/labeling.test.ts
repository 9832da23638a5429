// Labelling by hand in the real UI, against the real server and database: classes made in
// the panel, 20 Fashion-MNIST images labelled with their true class by the number keys,
// undo and redo, a reload and a restart, ranges and boxes labelled in one step, select all,
// and merging and deleting classes with undo. Every wait is for something the UI shows.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FASHION_CLASSES } from '../../scripts/fashion-mnist';
import { writeFlatFixture, type FlatFixture } from './flat-fixture';
import { e2eSetup, importThroughApi, startStudio } from './harness';

const COUNT = 60;
const SCREENSHOTS = join(import.meta.dirname, '../../test-results');
/** Keys 1-9, 0 pick the classes in the order they were made: here, Fashion-MNIST's. */
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
const keyOf = (cls: string) => KEYS[FASHION_CLASSES.indexOf(cls as (typeof FASHION_CLASSES)[number])];

describe('labelling by hand', () => {
  let fixture: FlatFixture;
  const s = e2eSetup({
    name: 'label',
    data: async (tmp) => {
      fixture = await writeFlatFixture(join(tmp, 'flat'), COUNT);
      mkdirSync(SCREENSHOTS, { recursive: true });
    },
    prepare: (e2e) => importThroughApi(e2e, fixture.folder),
    ready: `[data-testid=total-count][data-total="${COUNT}"]`,
  });
  const projectDir = () => join(s.tmp, 'project');
  /** What each image (in grid order) should be labelled now, by class name; null: unlabeled. */
  const expected: (string | null)[] = new Array(COUNT).fill(null);

  const cell = (index: number) => s.page.locator(`[data-testid=grid-cell][data-index="${index}"]`);
  const classItem = (name: string) => s.page.locator(`[data-testid=class-item][data-class-name="${name}"]`);
  const classRow = (name: string) => s.page.locator('li', { has: classItem(name) });
  const total = (n: number) => s.page.waitForSelector(`[data-testid=total-count][data-total="${n}"]`);
  const toast = (text: string) =>
    s.page.waitForSelector(`[data-testid=toast-message]:has-text(${JSON.stringify(text)})`);

  async function dbLabels(): Promise<(string | null)[]> {
    const names = new Map((await s.h().dataset.classes({})).map((c) => [c.id, c.name]));
    const { items } = await s.h().dataset.images({ filter: {}, offset: 0, limit: 2000 });
    return items.map((i) => (i.classId === null ? null : names.get(i.classId)!));
  }

  function countsOf(labels: (string | null)[]): Map<string | null, number> {
    const counts = new Map<string | null, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    return counts;
  }

  /** Waits until the panel shows `expected`'s counts, then checks the database agrees image by image. */
  async function checkCounts(): Promise<void> {
    const counts = countsOf(expected);
    for (const name of new Set(expected.filter((l): l is string => l !== null))) {
      await classItem(name)
        .locator(`[data-testid=class-count][data-count="${counts.get(name)}"]`)
        .waitFor();
    }
    await s.page.waitForSelector(`[data-testid=unlabeled-count][data-count="${counts.get(null) ?? 0}"]`);
    assert.deepEqual(await dbLabels(), expected);
  }

  it('creates classes in the panel, each with its key', async () => {
    for (const [k, name] of FASHION_CLASSES.entries()) {
      if (name === 'Ankle_boot') await s.page.fill('[data-testid=new-class-color]', '#ff8800');
      await s.page.fill('[data-testid=new-class-name]', name);
      await s.page.press('[data-testid=new-class-name]', 'Enter');
      await classItem(name).waitFor();
      assert.equal(await classRow(name).locator('[data-testid=class-key]').textContent(), KEYS[k]);
    }
    await s.page.waitForFunction(
      () => (document.querySelector('[data-testid=new-class-name]') as HTMLInputElement).value === '',
    );
    const classes = await s.h().dataset.classes({});
    assert.deepEqual(classes.map((c) => c.name).sort(), [...FASHION_CLASSES].sort());
    assert.equal(classes.find((c) => c.name === 'Ankle_boot')?.color, '#ff8800');
  });

  it('labels 20 images with the number keys, moving on after each', async () => {
    // The first 12 in the view of all images: the cursor steps to the next image.
    await cell(0).click();
    for (let i = 0; i < 12; i++) {
      await s.page.keyboard.press(keyOf(fixture.truth[i]));
      expected[i] = fixture.truth[i];
    }
    await s.page.waitForSelector('[data-testid=grid][data-cursor="12"]');
    await checkCounts();

    // 8 more among the unlabeled: each leaves the view and the next takes its place under the cursor.
    await s.page.click('[data-testid=class-unlabeled]');
    await total(COUNT - 12);
    await cell(0).click();
    for (let i = 12; i < 20; i++) {
      await s.page.keyboard.press(keyOf(fixture.truth[i]));
      expected[i] = fixture.truth[i];
    }
    await total(COUNT - 20);
    await checkCounts();
    await s.page.waitForSelector('[data-testid=grid][data-cursor="0"]');
    const first = await s.h().dataset.images({ filter: { unlabeled: true }, offset: 0, limit: 1 });
    await s.page.waitForSelector(`[data-testid=grid-cell][data-index="0"][data-image-id="${first.items[0].id}"]`);
    await toast(`Labelled 1 image "${fixture.truth[19]}"`);
    await s.page.screenshot({ path: join(SCREENSHOTS, 'labeling-keys.png') });
  });

  it('previews with space, the viewer following the cursor as images are labelled', async () => {
    const id = await cell(0).getAttribute('data-image-id');
    await s.page.keyboard.press('Space');
    await s.page.waitForSelector(`[data-testid=viewer][data-image-id="${id}"]`);
    await s.page.keyboard.press(keyOf(fixture.truth[20]));
    expected[20] = fixture.truth[20];
    const next = await s.h().dataset.images({ filter: { unlabeled: true }, offset: 0, limit: 1 });
    await s.page.waitForSelector(`[data-testid=viewer][data-image-id="${next.items[0].id}"]`);
    await s.page.screenshot({ path: join(SCREENSHOTS, 'labeling-viewer.png') });
    await s.page.keyboard.press('Space');
    await s.page.waitForSelector('[data-testid=viewer]', { state: 'detached' });
    // Back to 20 labelled, for the undo below.
    await s.page.keyboard.press('Control+z');
    expected[20] = null;
    await checkCounts();
  });

  it('undoes 5 edits and redoes 1, with the keyboard and the top bar', async () => {
    for (let k = 0; k < 5; k++) await s.page.keyboard.press('Control+z');
    for (let i = 15; i < 20; i++) expected[i] = null;
    await checkCounts();
    await total(COUNT - 15);
    await s.page.keyboard.press('Control+Shift+z');
    expected[15] = fixture.truth[15];
    await checkCounts();
    await toast(`Redone: Labelled 1 image "${fixture.truth[15]}"`);
    const undoTitle = await s.page.getAttribute('[data-testid=undo]', 'title');
    assert.match(undoTitle!, new RegExp(`^Undo: Labelled 1 image "${fixture.truth[15]}"`));
    const redoTitle = await s.page.getAttribute('[data-testid=redo]', 'title');
    assert.match(redoTitle!, new RegExp(`^Redo: Labelled 1 image "${fixture.truth[16]}"`));
  });

  it('keeps labels and history across a reload and a restart, and redo still works', async () => {
    await s.page.reload();
    await checkCounts();
    await s.page.click('[data-testid=history-open]');
    await s.page.locator('[data-testid=history-list]').waitFor();
    // 10 classes made, 21 labels (one undone while previewing): the last 5 are undone and can be redone.
    assert.equal(await s.page.locator('[data-testid=history-item]').count(), 31);
    assert.equal(await s.page.locator('[data-testid=history-item][data-undone=true]').count(), 5);
    await s.page.screenshot({ path: join(SCREENSHOTS, 'labeling-history.png') });
    await s.page.keyboard.press('Escape');

    await s.running.close();
    s.running = await startStudio({ projectDir: projectDir(), create: false });
    await s.page.goto(s.running.url);
    await checkCounts();
    assert.equal(await s.page.isEnabled('[data-testid=redo]'), true);
    await s.page.click('[data-testid=redo]');
    expected[16] = fixture.truth[16];
    await checkCounts();
  });

  it('shows edits made elsewhere (another window, the command line) without losing its place', async () => {
    await s.page.click('[data-testid=class-all]');
    await total(COUNT);
    await s.page.$eval('[data-testid=grid]', (grid) => grid.scrollTo({ top: 200 }));
    await s.page.waitForFunction(() => document.querySelector('[data-testid=grid]')!.scrollTop === 200);
    const index = 30;
    const imageId = Number(await cell(index).getAttribute('data-image-id'));
    const coat = (await s.h().dataset.classes({})).find((c) => c.name === 'Coat')!;
    await s.h().labels.assign({ imageIds: [imageId], classId: coat.id });
    expected[index] = 'Coat';
    await s.page.waitForSelector(`[data-testid=grid-cell][data-index="${index}"][data-class-id="${coat.id}"]`);
    await checkCounts();
    assert.equal(await s.page.$eval('[data-testid=grid]', (grid) => grid.scrollTop), 200);
    await s.h().labels.undo({});
    expected[index] = null;
    await checkCounts();
  });

  it('labels a shift-click range in one step', async () => {
    await cell(17).click();
    await cell(22).click({ modifiers: ['Shift'] });
    await s.page.waitForSelector('[data-testid=selection-count][data-count="6"]');
    await s.page.keyboard.press(keyOf('Sandal'));
    for (let i = 17; i <= 22; i++) expected[i] = 'Sandal';
    await toast('Labelled 6 images "Sandal"');
    await checkCounts();
    const [edit] = (await s.h().labels.history({ limit: 1 })).edits;
    assert.equal(edit.images, 6, 'one edit for the whole range');

    // Delete unlabels the selection; undo puts the labels back.
    await s.page.keyboard.press('Delete');
    await toast('Labelled 6 images unlabeled');
    await s.page.waitForSelector(`[data-testid=unlabeled-count][data-count="${countsOf(expected).get(null)! + 6}"]`);
    await s.page.keyboard.press('Control+z');
    await checkCounts();
  });

  it('labels a dragged box in one step, less one Ctrl-clicked image', async () => {
    const columns = Number(await s.page.getAttribute('[data-testid=grid]', 'data-columns'));
    // A 3 x 2 block in the rows after the range, with the grid scrolled to bring them up.
    const startRow = Math.ceil(23 / columns);
    const startCell = startRow * columns + 1;
    const endCell = startCell + columns + 2;
    await s.page.$eval('[data-testid=grid]', (grid, top) => grid.scrollTo({ top }), (startRow - 1) * 132);
    await s.page.waitForSelector(`[data-testid=grid-cell][data-index="${endCell}"][data-image-id]`);
    const a = (await cell(startCell).boundingBox())!;
    const b = (await cell(endCell).boundingBox())!;
    await s.page.mouse.move(a.x - 3, a.y - 3); // in the gap between cells
    await s.page.mouse.down();
    await s.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
    await s.page.waitForSelector('[data-testid=box-select]');
    await s.page.mouse.up();
    await s.page.waitForSelector('[data-testid=selection-count][data-count="6"]');
    await s.page.screenshot({ path: join(SCREENSHOTS, 'labeling-box.png') });
    const box = [0, 1, 2].flatMap((c) => [startCell + c, startCell + columns + c]);
    await cell(box[5]).click({ modifiers: ['Control'] });
    await s.page.waitForSelector('[data-testid=selection-count][data-count="5"]');
    await s.page.keyboard.press(keyOf('Bag'));
    for (const i of box.slice(0, 5)) expected[i] = 'Bag';
    await toast('Labelled 5 images "Bag"');
    await checkCounts();
    await s.page.keyboard.press('Escape');
    await s.page.waitForSelector('[data-testid=selection-clear]', { state: 'detached' });
  });

  it('selects all in view with Ctrl+A and labels them through the filter', async () => {
    await s.page.click('[data-testid=class-unlabeled]');
    const unlabeled = expected.filter((l) => l === null).length;
    await total(unlabeled);
    await cell(0).click();
    await s.page.keyboard.press('Control+a');
    await s.page.waitForSelector(`[data-testid=selection-count][data-all=true][data-count="${unlabeled}"]`);
    await s.page.click('[data-testid=label-button][data-class-name="Coat"]');
    await s.page.waitForSelector('[data-testid=grid-empty]');
    await toast(`Labelled ${unlabeled} images "Coat"`);
    assert.equal((await s.h().dataset.stats({})).unlabeled, 0);
    await s.page.click('[data-testid=toast-action]');
    await total(unlabeled);
    await checkCounts();
  });

  it('renames and recolours a class in place', async () => {
    await s.page.click('[data-testid=class-all]');
    await classItem('Pullover').dblclick();
    await s.page.fill('[data-testid=class-rename]', 'Sweater');
    await s.page.press('[data-testid=class-rename]', 'Enter');
    await classItem('Sweater').waitFor();
    for (const [i, l] of expected.entries()) if (l === 'Pullover') expected[i] = 'Sweater';
    await s.page.fill(`li:has([data-class-name="Sweater"]) [data-testid=class-color]`, '#33aa55');
    await toast('Recoloured "Sweater"');
    const sweater = (await s.h().dataset.classes({})).find((c) => c.name === 'Sweater');
    assert.equal(sweater?.color, '#33aa55');
    await checkCounts();
  });

  it('merges a class into another, then undoes it', async () => {
    const shirts = expected.filter((l) => l === 'Shirt').length;
    assert.ok(shirts > 0, 'the fixture has shirts among the labelled images');
    await classRow('Shirt').locator('[data-testid=class-menu]').click();
    await s.page.screenshot({ path: join(SCREENSHOTS, 'labeling-class-menu.png') });
    await classRow('Shirt').locator('[data-testid=class-merge-action]').click();
    await s.page.selectOption('[data-testid=merge-target]', {
      label: `T-shirt_top (${countsOf(expected).get('T-shirt_top') ?? 0})`,
    });
    await s.page.click('[data-testid=merge-confirm]');
    await classItem('Shirt').waitFor({ state: 'detached' });
    const before = [...expected];
    for (const [i, l] of expected.entries()) if (l === 'Shirt') expected[i] = 'T-shirt_top';
    await checkCounts();
    await s.page.keyboard.press('Control+z');
    expected.splice(0, COUNT, ...before);
    await classItem('Shirt').waitFor();
    await checkCounts();
  });

  it('deletes a class, its images becoming unlabeled, then undoes it', async () => {
    const bags = expected.filter((l) => l === 'Bag').length;
    await classRow('Bag').locator('[data-testid=class-menu]').click();
    await classRow('Bag').locator('[data-testid=class-delete-action]').click();
    const message = await s.page.textContent('[data-testid=delete-message]');
    assert.match(message!, new RegExp(`Its ${bags} images become unlabeled; no image is deleted`));
    await s.page.screenshot({ path: join(SCREENSHOTS, 'labeling-delete.png') });
    await s.page.click('[data-testid=delete-confirm]');
    await classItem('Bag').waitFor({ state: 'detached' });
    const before = [...expected];
    for (const [i, l] of expected.entries()) if (l === 'Bag') expected[i] = null;
    await checkCounts();
    assert.equal((await s.h().dataset.stats({})).total, COUNT, 'no image was deleted');
    await s.page.click('[data-testid=toast-action]');
    expected.splice(0, COUNT, ...before);
    await classItem('Bag').waitFor();
    await checkCounts();
  });

  it('goes back and forth through the history list', async () => {
    await s.page.click('[data-testid=history-open]');
    await s.page.locator('[data-testid=history-list]').waitFor();
    const items = s.page.locator('[data-testid=history-item]');
    assert.equal(await items.nth(0).getAttribute('data-undone'), 'true', 'the class deletion, undone above');
    // Back to the fourth edit in force: the recolour, the rename and the box's labels after
    // it are undone, and with them the Sweater's name.
    const inForce = s.page.locator('[data-testid=history-item][data-undone=false]');
    await inForce.nth(3).click();
    await classItem('Pullover').waitFor();
    await s.page.click('[data-testid=history-open]');
    await s.page.waitForFunction(
      () => document.querySelectorAll('[data-testid=history-item][data-undone=true]').length === 4,
    );
    await s.page.screenshot({ path: join(SCREENSHOTS, 'labeling-history-jump.png') });
    // And forward again to the newest edit.
    await items.nth(0).click();
    await classItem('Sweater').waitFor();
    await classItem('Bag').waitFor({ state: 'detached' });
    for (const [i, l] of expected.entries()) if (l === 'Bag') expected[i] = null;
    await checkCounts();
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(s.errors, []);
  });
});
