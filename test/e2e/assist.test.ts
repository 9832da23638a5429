// The labeling assistant in the real UI: label 5 images per class by keys, the assistant
// trains on a real backbone's features and its suggestions appear as ghost chips; Enter
// accepts one; accept-all for one class through the dialog's preview; one undo takes it back;
// Enter on a picked selection accepts each image's suggestion as one edit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeProject, type Made } from '../integration/runs/helpers';
import { e2eSetup } from './harness';

describe('labeling with the assistant', () => {
  const CLASSES = ['cols', 'diag', 'rows'];
  let made: Made;
  const s = e2eSetup({
    name: 'assist',
    studio: {
      runs: { backend: 'wasm' },
      assist: { backboneId: 'nsfwjs_mobilenet_v2', inputSize: 96, auto: true, debounceMs: 200 },
    },
    data: async (tmp) => {
      made = await makeProject(
        CLASSES.map((className) => ({ className, split: null, count: 8 })),
        tmp,
      );
      made.project.close();
    },
    // Every image starts unlabeled; the classes stay, keys 1-3 in the order they were made.
    prepare: async (e2e) => {
      await e2e.h().labels.assign({ imageIds: made.files.map((f) => f.imageId), classId: null });
    },
    ready: '[data-testid=grid-cell][data-image-id]',
  });
  const countOf = async (classId: number) =>
    (await s.h().dataset.images({ filter: { classId }, offset: 0, limit: 200 })).total;

  it('label 5 per class by keys, and suggestions appear on the unlabeled images', async () => {
    // Nothing trains until the assistant is started.
    await s.page.click('[data-testid=assist-start]');
    const classes = await s.h().dataset.classes({});
    for (const [k, name] of CLASSES.entries()) {
      const classId = classes.find((c) => c.name === name)!.id;
      for (const f of made.files.filter((x) => x.className === name).slice(0, 5)) {
        await s.page.click(`[data-testid=grid-cell][data-image-id="${f.imageId}"]`);
        await s.page.keyboard.press(String(k + 1));
        await s.page.waitForSelector(
          `[data-testid=grid-cell][data-image-id="${f.imageId}"][data-class-id="${classId}"]`,
        );
      }
    }
    await s.page.waitForSelector('[data-testid=assist-bar][data-status=ready]', { timeout: 180_000 });
    await s.page.waitForFunction(() => document.querySelectorAll('[data-testid=ghost-chip]').length === 9, undefined, {
      timeout: 30_000,
    });
    assert.match((await s.page.textContent('[data-testid=assist-accuracy]')) ?? '', /\d+ % accurate \(\d+ %-\d+ %\)/);
  });

  it('Enter accepts the suggestion of the image under the cursor', async () => {
    const f = made.files.find(
      (x) => x.className === 'rows' && x === made.files.filter((y) => y.className === 'rows')[6],
    )!;
    const { items } = await s.h().assist.suggestions({
      which: 'unlabeled',
      imageIds: [f.imageId],
      sort: 'image',
      offset: 0,
      limit: 1,
    });
    await s.page.click(`[data-testid=grid-cell][data-image-id="${f.imageId}"]`);
    await s.page.keyboard.press('Enter');
    await s.page.waitForSelector(
      `[data-testid=grid-cell][data-image-id="${f.imageId}"][data-class-id="${items[0]!.classId}"]`,
    );
  });

  it('accept-all for one class through the preview, then one undo', async () => {
    const classes = await s.h().dataset.classes({});
    const diag = classes.find((c) => c.name === 'diag')!.id;
    const before = await countOf(diag);
    await s.page.click('[data-testid=assist-accept-open]');
    await s.page.selectOption('[data-testid=accept-class]', { label: 'diag' });
    await s.page.fill('[data-testid=accept-threshold]', '0');
    const expected = (
      await s.h().assist.suggestions({ which: 'unlabeled', classId: diag, sort: 'confidence', offset: 0, limit: 200 })
    ).total;
    assert.ok(expected > 0, 'the assistant suggests some images as diag');
    await s.page.waitForSelector(`[data-testid=accept-preview][data-total="${expected}"]`);
    assert.equal(await countOf(diag), before, 'the preview changes nothing');
    const cells = (n: number) =>
      s.page.waitForFunction(
        ([id, want]) => document.querySelectorAll(`[data-testid=grid-cell][data-class-id="${id}"]`).length === want,
        [diag, n] as const,
      );
    await s.page.click('[data-testid=accept-confirm]');
    await cells(before + expected);
    assert.equal(await countOf(diag), before + expected);
    await s.page.keyboard.press('Control+z');
    await cells(before);
    assert.equal(await countOf(diag), before, 'one undo takes every accepted label back');
    assert.deepEqual(s.errors, []);
  });

  it("Enter on a picked selection accepts each image's own suggestion, and one undo takes them back", async () => {
    // The undo above schedules a training: let it land first, so the suggestions read here are
    // the ones Enter will accept.
    await s.h().assist.refresh({});
    const { items } = await s.h().assist.suggestions({ which: 'unlabeled', sort: 'image', offset: 0, limit: 3 });
    assert.equal(items.length, 3);
    const cell = (id: number) => `[data-testid=grid-cell][data-image-id="${id}"]`;
    await s.page.click(cell(items[0]!.imageId));
    for (const it of items.slice(1)) await s.page.click(cell(it.imageId), { modifiers: ['Control'] });
    await s.page.keyboard.press('Enter');
    for (const it of items) await s.page.waitForSelector(`${cell(it.imageId)}[data-class-id="${it.classId}"]`);
    const history = await s.h().labels.history({ limit: 1 });
    assert.match(history.edits[0]!.description, /^Accepted 3 suggestions of 3 selected images/);
    await s.page.keyboard.press('Control+z');
    for (const it of items) await s.page.waitForSelector(`${cell(it.imageId)}[data-class-id=""]`);
    assert.deepEqual(s.errors, []);
  });
});
