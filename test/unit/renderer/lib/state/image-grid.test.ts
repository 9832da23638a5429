// The grid's paged state on a fake connection: pages of one list load side by side, a page
// asked for under an old filter does not land in the new list, and a failed page is shown
// until a later one loads.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { StudioError } from '../../../../../src-shared/errors';
import { deferred, fakeConnection } from './fake-connection';

register('../../../../integration/renderer/svelte-modules.mjs', import.meta.url);
const { ImageGridState } = await import('../../../../../src-renderer/lib/state/image-grid.svelte');

type Input = { filter: { classId?: number }; offset: number; limit: number };
/** Images whose id says which filter asked for them: class 1's are 1000+, the rest their index. */
function page(input: Input, total: number) {
  const base = input.filter.classId === 1 ? 1000 : 0;
  const n = Math.max(0, Math.min(input.limit, total - input.offset));
  return { total, items: Array.from({ length: n }, (_, k) => ({ id: base + input.offset + k })) };
}
const settle = () => new Promise((r) => setImmediate(r));

test("a page asked for under the old filter does not land in the new filter's list", async () => {
  const old = deferred<unknown>();
  const fake = fakeConnection({
    'dataset.images': (input) => ((input as Input).filter.classId === 1 ? page(input as Input, 3) : old.promise),
  });
  const grid = new ImageGridState(fake.studio);
  grid.view(0, 10);
  grid.setFilter({});
  await settle();
  grid.setFilter({ classId: 1 });
  await settle();
  assert.equal(grid.total, 3);
  old.resolve(page({ filter: {}, offset: 0, limit: 100 }, 50));
  await settle();
  assert.equal(grid.total, 3, "the old list's total did not replace the new one");
  assert.equal(grid.itemAt(0)?.id, 1000);
});

test('pages of one list load side by side, and a failed one is shown until a later page loads', async () => {
  let fail = true;
  const fake = fakeConnection({
    'dataset.images': (input) => {
      if (fail && (input as Input).offset > 0) throw new StudioError('internal', 'The database is locked.');
      return page(input as Input, 10_000);
    },
  });
  const grid = new ImageGridState(fake.studio);
  grid.setFilter({});
  await settle();
  assert.equal(grid.total, 10_000);
  grid.view(0, 2000);
  await settle();
  assert.equal(grid.error, 'The database is locked.');
  assert.equal(grid.itemAt(0)?.id, 0, 'the first page stays');
  fail = false;
  grid.refresh();
  await settle();
  assert.equal(grid.error, null);
  assert.ok(grid.itemAt(1999), 'every page of the window loaded');
});

test('two pages in flight at once both land', async () => {
  const held = new Map<number, ReturnType<typeof deferred<unknown>>>();
  const fake = fakeConnection({
    'dataset.images': (input) => {
      const { offset } = input as Input;
      if (offset === 0 && !held.size) return page(input as Input, 1000);
      const d = deferred<unknown>();
      held.set(offset, d);
      return d.promise.then(() => page(input as Input, 1000));
    },
  });
  const grid = new ImageGridState(fake.studio);
  grid.setFilter({});
  await settle();
  grid.view(200, 599);
  await settle();
  assert.deepEqual([...held.keys()].sort(), [200, 400]);
  held.get(400)!.resolve(null);
  await settle();
  held.get(200)!.resolve(null);
  await settle();
  assert.equal(grid.itemAt(200)?.id, 200);
  assert.equal(grid.itemAt(400)?.id, 400);
});
