// The grid's selection on the map: after Ctrl+A and Ctrl-clicks the map draws exactly the
// images in view but the ones left out (the view read from the map's own label and split
// layers), and a lasso after that either replaces the selection, takes images back into
// "all in view", or, reaching outside the view, makes it explicit.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { fakeConnection } from './fake-connection';

register('../../../../integration/renderer/svelte-modules.mjs', import.meta.url);
const { MapViewState } = await import('../../../../../src-renderer/lib/state/map.svelte');
const { ImageGridState } = await import('../../../../../src-renderer/lib/state/image-grid.svelte');
const { SelectionState } = await import('../../../../../src-renderer/lib/state/selection.svelte');

const b64 = (a: Int32Array | Float32Array | Uint8Array) => Buffer.from(a.buffer).toString('base64');
// Eight images: 1-4 labeled class 1, 5-6 class 2, 7-8 unlabeled; splits train, val, none in turn.
const ids = [1, 2, 3, 4, 5, 6, 7, 8];
const classOf = [1, 1, 1, 1, 2, 2, -1, -1];
const splitOf = [1, 2, 0, 1, 2, 0, 1, 2];
const settle = () => new Promise((r) => setImmediate(r));

async function setUp(withLayers = true) {
  const fake = fakeConnection({
    'map.state': () => ({ version: 1 }),
    'map.points': () => ({
      version: 1,
      total: 8,
      offset: 0,
      ids: b64(Int32Array.from(ids)),
      xy: b64(new Float32Array(16)),
    }),
    'map.layers': () => {
      if (!withLayers) throw new Error('not yet');
      const u8 = b64(new Uint8Array(8));
      const f32 = b64(new Float32Array(8));
      return {
        version: 1,
        offset: 0,
        classId: b64(Int32Array.from(classOf)),
        split: b64(Uint8Array.from(splitOf)),
        excluded: u8,
        suggestion: b64(new Int32Array(8)),
        confidence: f32,
        cluster: null,
      };
    },
    'dataset.images': (input) => {
      const { filter } = input as { filter: { classId?: number } };
      const shown = ids.filter((_, i) => filter.classId === undefined || classOf[i] === filter.classId);
      return { total: shown.length, items: shown.map((id) => ({ id })) };
    },
  });
  const map = new MapViewState(fake.studio);
  await map.show();
  await settle();
  const grid = new ImageGridState(fake.studio);
  grid.view(0, 10);
  grid.setFilter({ classId: 1 });
  await settle();
  return { map, grid, selection: new SelectionState(grid) };
}

/** The ids the map draws selected. */
function drawn(map: InstanceType<typeof MapViewState>, selection: InstanceType<typeof SelectionState>, filter: object) {
  const mask = map.selectionMask(selection.forMap(), filter);
  return mask ? ids.filter((_, i) => mask[i] === 1) : [];
}

test('after Ctrl+A and Ctrl-clicks the map draws the images in view but those left out', async () => {
  const { map, grid, selection } = await setUp();
  assert.equal(grid.total, 4);
  selection.selectAll();
  selection.pick(1, { toggle: true, range: false });
  assert.deepEqual(
    drawn(map, selection, grid.filter),
    [1, 3, 4],
    'class 1 without image 2; not class 2 nor the unlabeled',
  );
  assert.equal(selection.count, 3, 'the selection bar counts what the map draws');
  selection.pick(1, { toggle: true, range: false });
  assert.deepEqual(drawn(map, selection, grid.filter), [1, 2, 3, 4], 'a second Ctrl-click takes it back');
});

test('every filter field is read from the layers; without them "all in view" draws nothing rather than everything', async () => {
  const { map } = await setUp();
  const all = { kind: 'all' as const, except: new Set<number>() };
  const shown = (filter: object) => Array.from(map.selectionMask(all, filter)!).flatMap((v, i) => (v ? [ids[i]] : []));
  assert.deepEqual(shown({}), ids);
  assert.deepEqual(shown({ unlabeled: true }), [7, 8]);
  assert.deepEqual(shown({ split: 'val' }), [2, 5, 8]);
  assert.deepEqual(shown({ split: 'none', classId: 2 }), [6]);
  assert.deepEqual(shown({ imageIds: [8, 1, 99] }), [1, 8]);
  const early = (await setUp(false)).map;
  assert.equal(early.selectionMask(all, { classId: 1 }), null);
  assert.equal(early.selectionMask(all, {})?.length, 8, 'no filter needs no layers');
});

test('a plain lasso after "all but some" selects exactly what it ran over', async () => {
  const { map, grid, selection } = await setUp();
  selection.selectAll();
  selection.pick(1, { toggle: true, range: false });
  selection.fromMap(map.afterLasso(selection.forMap(), [5, 6], false, grid.filter));
  assert.equal(selection.all, false);
  assert.deepEqual([...selection.ids], [5, 6]);
  assert.deepEqual(drawn(map, selection, grid.filter), [5, 6]);
});

test('a Ctrl-lasso takes left-out images back into "all in view"; reaching outside the view it becomes explicit', async () => {
  const { map, grid, selection } = await setUp();
  selection.selectAll();
  selection.pick(1, { toggle: true, range: false });
  selection.pick(2, { toggle: true, range: false });
  selection.fromMap(map.afterLasso(selection.forMap(), [2], true, grid.filter));
  assert.equal(selection.all, true, 'still all in view, so a bulk label covers images without a point');
  assert.deepEqual([...selection.except], [3]);
  assert.deepEqual(drawn(map, selection, grid.filter), [1, 2, 4]);
  selection.fromMap(map.afterLasso(selection.forMap(), [3, 7], true, grid.filter));
  assert.equal(selection.all, false);
  assert.deepEqual(
    [...selection.ids].sort((a, b) => a - b),
    [1, 2, 3, 4, 7],
  );
  assert.deepEqual(drawn(map, selection, grid.filter), [1, 2, 3, 4, 7]);
});
