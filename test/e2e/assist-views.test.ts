// The assistant's views of the grid on a small Fashion-MNIST project (10 classes, 10 images
// each, 5 of each labeled): "more like this" from the viewer selects the image and its
// neighbours, one key labels them together and one undo takes it back; the grid orders by
// suggestion and filters by predicted class; Ctrl+A on a predicted class with one image
// Ctrl-clicked out labels the rest with one key; "label next" puts the cursor on the queue's
// first image, Enter accepts its suggestion, a number key labels the next, undo as anywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeProject } from '../../bench/assist-project';
import { FASHION_CLASSES } from '../../scripts/fashion-mnist';
import { CLASS_KEYS } from '../../src-renderer/lib/label-keys';
import { e2eSetup } from './harness';

describe('the assistant in the grid: more like this, orders, label next', () => {
  let truth: Map<number, string>;
  const s = e2eSetup({
    name: 'assist-views',
    studio: {
      runs: { backend: 'wasm' },
      assist: { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96, auto: true, debounceMs: 200 },
    },
    data: async (tmp) => (truth = (await writeProject(tmp, 100, 2)).truth),
    // Classes made in Fashion-MNIST's order (keys 1-9, 0); five of each labeled.
    prepare: async (e2e) => {
      const classId = new Map<string, number>();
      for (const name of FASHION_CLASSES) classId.set(name, (await e2e.h().classes.create({ name })).classId);
      for (const name of FASHION_CLASSES) {
        const of = [...truth].filter(([, c]) => c === name).slice(0, 5);
        await e2e.h().labels.assign({ imageIds: of.map(([id]) => id), classId: classId.get(name)! });
      }
    },
    ready: '[data-testid=grid-cell][data-image-id]',
    opened: async ({ page }) => {
      await page.click('[data-testid=assist-start]');
      await page.waitForSelector('[data-testid=assist-bar][data-status=ready]', { timeout: 300_000 });
    },
  });
  const ids = async () => (await s.h().dataset.images({ filter: {}, offset: 0, limit: 500 })).items;
  const shownIds = () =>
    s.page.$$eval('[data-testid=grid-cell][data-image-id]', (cells) => cells.map((c) => Number(c.dataset.imageId)));

  it('"more like this" from the viewer selects the image and its neighbours; one key labels them, one undo restores', async () => {
    const first = (await ids()).find((im) => im.classId === null)!;
    await s.page.dblclick(`[data-testid=grid-cell][data-image-id="${first.id}"]`);
    await s.page.click('[data-testid=viewer-similar]');
    const near = await s.h().assist.similar({ imageId: first.id, count: 47 });
    const want = [first.id, ...near.items.map((s) => s.imageId)];
    await s.page.waitForSelector(`[data-testid=view-label]:has-text("48 images like #${first.id}")`);
    await s.page.waitForSelector(`[data-testid=total-count][data-total="48"]`);
    assert.deepEqual((await shownIds()).slice(0, 10), want.slice(0, 10), 'nearest first, the image itself leading');
    const before = new Map((await ids()).map((im) => [im.id, im.classId]));
    const classes = await s.h().dataset.classes({});
    const third = [...classes].sort((a, b) => a.id - b.id)[2]!.id;
    await s.page.keyboard.press('3');
    const labeled = async () => (await ids()).filter((im) => want.includes(im.id) && im.classId === third).length;
    await waitFor(async () => (await labeled()) === 48, 'every image of the view labeled with key 3');
    await s.page.keyboard.press('Control+z');
    await waitFor(
      async () => (await ids()).every((im) => im.classId === before.get(im.id)),
      'one undo puts every label back',
    );
    await s.page.click('[data-testid=filter-clear]');
  });

  it('orders the grid by suggestion and filters it by predicted class', async () => {
    await s.page.selectOption('[data-testid=assist-order]', 'uncertainty');
    const unsure = await s.h().assist.suggestions({ which: 'unlabeled', sort: 'uncertainty', offset: 0, limit: 500 });
    await s.page.waitForSelector(`[data-testid=total-count][data-total="${unsure.total}"]`);
    await waitFor(async () => (await shownIds())[0] === unsure.items[0]!.imageId, 'least certain first');
    const classes = await s.h().dataset.classes({});
    const target = unsure.items[0]!.classId;
    await s.page.selectOption('[data-testid=assist-class]', String(target));
    const of = await s.h().assist.suggestions({
      which: 'unlabeled',
      classId: target,
      sort: 'uncertainty',
      offset: 0,
      limit: 500,
    });
    const name = classes.find((c) => c.id === target)!.name;
    await s.page.waitForSelector(`[data-testid=view-label]:has-text("predicted ${name}")`);
    await s.page.waitForSelector(`[data-testid=total-count][data-total="${of.total}"]`);
    assert.deepEqual(
      await shownIds(),
      of.items.map((s) => s.imageId),
    );
    await s.page.selectOption('[data-testid=assist-class]', '');
    await s.page.selectOption('[data-testid=assist-order]', 'disagreement');
    const doubts = await s.h().assist.disagreements({ limit: 2000 });
    await s.page.waitForSelector(`[data-testid=total-count][data-total="${doubts.items.length}"]`);
    await s.page.click('[data-testid=filter-clear]');
  });

  it('Ctrl+A on a predicted class, a Ctrl-click leaves one out, one key labels the rest; one undo restores', async () => {
    const classes = [...(await s.h().dataset.classes({}))].sort((a, b) => a.id - b.id);
    const all = await s.h().assist.suggestions({ which: 'unlabeled', sort: 'confidence', offset: 0, limit: 500 });
    const counts = new Map<number, number>();
    for (const g of all.items) counts.set(g.classId, (counts.get(g.classId) ?? 0) + 1);
    const target = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    await s.page.selectOption('[data-testid=assist-order]', 'confidence');
    await s.page.selectOption('[data-testid=assist-class]', String(target));
    const of = (
      await s.h().assist.suggestions({ which: 'unlabeled', classId: target, sort: 'confidence', offset: 0, limit: 500 })
    ).items.map((g) => g.imageId);
    assert.ok(of.length >= 3, `the busiest predicted class has ${of.length} images`);
    await s.page.waitForSelector(`[data-testid=total-count][data-total="${of.length}"]`);
    // A plain click gives the grid the keyboard (the select had it), then Ctrl+A picks the view.
    await s.page.click(`[data-testid=grid-cell][data-image-id="${of[0]!}"]`);
    await s.page.keyboard.press('Control+a');
    await s.page.waitForSelector(`[data-testid=selection-count][data-count="${of.length}"]`);
    const out = of[1]!;
    await s.page.click(`[data-testid=grid-cell][data-image-id="${out}"]`, { modifiers: ['Control'] });
    await s.page.waitForSelector(`[data-testid=selection-count][data-count="${of.length - 1}"]`);
    await s.page.waitForSelector(`[data-testid=grid-cell][data-image-id="${of[0]!}"][aria-selected=true]`);
    await s.page.waitForSelector(`[data-testid=grid-cell][data-image-id="${out}"][aria-selected=false]`);
    await s.page.keyboard.press(CLASS_KEYS[classes.findIndex((c) => c.id === target)]!);
    const labelOf = async (id: number) => (await s.h().dataset.image({ id })).classId;
    await waitFor(
      async () => (await Promise.all(of.map(labelOf))).every((c, i) => c === (of[i] === out ? null : target)),
      'every image of the view labeled but the one left out',
    );
    await s.page.keyboard.press('Control+z');
    await waitFor(async () => (await Promise.all(of.map(labelOf))).every((c) => c === null), 'one undo');
    await s.page.selectOption('[data-testid=assist-class]', '');
    await s.page.click('[data-testid=filter-clear]');
  });

  it('"label next": Enter accepts the first suggestion, a number key labels the next, Ctrl+Z undoes', async () => {
    await s.page.click('[data-testid=assist-label-next]');
    await s.page.waitForSelector('[data-testid=view-label]:has-text("Label next")');
    const queue = await s.h().assist.queue({ count: 20 });
    const [a, b] = queue.items;
    await s.page.waitForSelector(`[data-testid=grid-cell][data-image-id="${a!.imageId}"][aria-selected=true]`);
    await s.page.waitForSelector(`[data-testid=grid-cell][data-image-id="${a!.imageId}"] [data-testid=ghost-chip]`);
    await s.page.keyboard.press('Enter');
    await s.page.waitForSelector(
      `[data-testid=grid-cell][data-image-id="${a!.imageId}"][data-class-id="${a!.classId}"]`,
    );
    await s.page.waitForSelector(`[data-testid=grid-cell][data-image-id="${b!.imageId}"][aria-selected=true]`);
    const classes = [...(await s.h().dataset.classes({}))].sort((x, y) => x.id - y.id);
    await s.page.keyboard.press('2');
    await s.page.waitForSelector(
      `[data-testid=grid-cell][data-image-id="${b!.imageId}"][data-class-id="${classes[1]!.id}"]`,
    );
    await s.page.keyboard.press('Control+z');
    await waitFor(
      async () => (await s.h().dataset.image({ id: b!.imageId })).classId === null,
      'undo takes the last label back',
    );
    assert.equal((await s.h().dataset.image({ id: a!.imageId })).classId, a!.classId);
    assert.deepEqual(s.errors, []);
  });
});

/** Polls the studio (not the page) until `ok`, for state the UI changes through a call. */
async function waitFor(ok: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
