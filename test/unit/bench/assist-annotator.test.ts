import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Annotator, fixWrong, type Call } from '../../../bench/assist-annotator';

/** A project of `n` unlabeled images held in a map, answering the two calls a fix makes. */
function fakeProject(n: number) {
  const labels = new Map<number, number | null>(Array.from({ length: n }, (_, i) => [i + 1, null]));
  const assigns: { imageIds: number[]; classId: number }[] = [];
  const call: Call = (service, method, input) => {
    const key = `${service}.${method}`;
    if (key === 'labels.assign') {
      const { imageIds, classId } = input as { imageIds: number[]; classId: number };
      assigns.push({ imageIds, classId });
      for (const id of imageIds) labels.set(id, classId);
      return Promise.resolve({});
    }
    if (key === 'dataset.images') {
      const { limit, offset } = input as { limit: number; offset: number };
      const items = [...labels].slice(offset, offset + limit).map(([id, classId]) => ({ id, classId }));
      return Promise.resolve({ total: labels.size, items });
    }
    return Promise.reject(new Error(`unexpected call ${key}`));
  };
  return { labels, assigns, call };
}

test('fixWrong: one click per wrong image and one key per true class; right ones untouched', async () => {
  const { assigns, call } = fakeProject(6);
  // Images 1-3 are class 0, 4-6 class 1.
  const truth = new Map([1, 2, 3, 4, 5, 6].map((id) => [id, id <= 3 ? 0 : 1]));
  const a = new Annotator(call, truth);
  const shown = [
    { imageId: 1, classId: 0 },
    { imageId: 2, classId: 1 }, // wrong: true 0
    { imageId: 3, classId: 1 }, // wrong: true 0
    { imageId: 4, classId: 0 }, // wrong: true 1
    { imageId: 5, classId: 1 },
  ];
  assert.equal(await fixWrong(a, shown), 3);
  // Class 0: click 2, Ctrl-click 3, key 0; class 1: click 4, key 1.
  assert.equal(a.actions, 5);
  assert.equal(a.spent.fix, 5);
  assert.deepEqual(assigns, [
    { imageIds: [2, 3], classId: 0 },
    { imageIds: [4], classId: 1 },
  ]);
});

test('Annotator.reached: the action count when the share of correct labels first reaches a target', async () => {
  const n = 20;
  const { call } = fakeProject(n);
  const truth = new Map(Array.from({ length: n }, (_, i) => [i + 1, 0]));
  const a = new Annotator(call, truth);
  a.look('views', 3);
  await a.key('accept', [...truth.keys()].slice(0, 18), 0); // 18 of 20 = 90 %
  assert.equal(a.done(0.95), false);
  await a.key('fix', [19], 0); // 95 %
  await a.key('fix', [20], 0); // 100 %
  assert.equal(a.reached.get(0.95), 5);
  assert.equal(a.reached.get(0.99), 6);
});
