// The map panel's state on a fake connection: the points of a newer map win over a slower
// older answer, their colourings follow them, a failure is shown, and a closed or cleared
// panel takes nothing that arrives late.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { StudioError } from '../../../../../src-shared/errors';
import { deferred, fakeConnection } from './fake-connection';

register('../../../../integration/renderer/svelte-modules.mjs', import.meta.url);
const { MapViewState } = await import('../../../../../src-renderer/lib/state/map.svelte');

const b64 = (a: Int32Array | Float32Array | Uint8Array) => Buffer.from(a.buffer).toString('base64');
/** One page holding every point of map `version`: ids version*10 + i. */
function points(version: number, count: number) {
  const ids = Int32Array.from({ length: count }, (_, i) => version * 10 + i);
  return { version, total: count, offset: 0, ids: b64(ids), xy: b64(new Float32Array(count * 2)) };
}
function layers(version: number, count: number) {
  const i32 = b64(new Int32Array(count).fill(-1));
  const u8 = b64(new Uint8Array(count));
  const f32 = b64(new Float32Array(count).fill(-1));
  return { version, offset: 0, classId: i32, split: u8, excluded: u8, suggestion: i32, confidence: f32, cluster: null };
}
const settle = () => new Promise((r) => setImmediate(r));

test("a newer map's points land even when the older answer comes last, and its colourings follow", async () => {
  const v1 = deferred<unknown>();
  const fake = fakeConnection({
    'map.state': () => ({ version: 1 }),
    'map.points': (input) => ((input as { version: number }).version === 1 ? v1.promise : points(2, 3)),
    'map.layers': (input) => layers((input as { version: number }).version, 3),
  });
  const map = new MapViewState(fake.studio);
  void map.show();
  await settle();
  fake.emit('map.state', { version: 2 });
  await settle();
  assert.equal(map.points?.version, 2);
  v1.resolve(points(1, 5));
  await settle();
  assert.equal(map.points?.version, 2, 'the older answer was dropped');
  assert.equal(map.points?.count, 3);
  assert.equal(map.layers?.classId.length, 3);
  assert.equal(map.error, null);
});

test('a failure to fetch points is shown, and the next map clears it', async () => {
  let fail = true;
  const fake = fakeConnection({
    'map.state': () => ({ version: 1 }),
    'map.points': () => {
      if (fail) throw new StudioError('internal', 'The map file is unreadable.');
      return points(2, 2);
    },
    'map.layers': () => layers(2, 2),
  });
  const map = new MapViewState(fake.studio);
  await map.show();
  await settle();
  assert.equal(map.error, 'The map file is unreadable.');
  fail = false;
  fake.emit('map.state', { version: 2 });
  await settle();
  assert.equal(map.error, null);
  assert.equal(map.points?.count, 2);
});

test('a cleared panel takes no points that arrive after', async () => {
  const late = deferred<unknown>();
  const fake = fakeConnection({ 'map.state': () => ({ version: 1 }), 'map.points': () => late.promise });
  const map = new MapViewState(fake.studio);
  void map.show();
  await settle();
  map.clear();
  late.resolve(points(1, 4));
  await settle();
  assert.equal(map.points, null);
  assert.ok(!fake.calls.includes('map.layers'));
});
