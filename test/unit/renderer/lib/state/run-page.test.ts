// A run's page state on a fake connection: of two loads the later answer wins, the gallery
// shows the last cell clicked, and an export shows its busy flag and its failure.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { StudioError } from '../../../../../src-shared/errors';
import { deferred, fakeConnection } from './fake-connection';

register('../../../../integration/renderer/svelte-modules.mjs', import.meta.url);
const { RunPageState } = await import('../../../../../src-renderer/lib/state/run-page.svelte');

const settle = () => new Promise((r) => setImmediate(r));
const epochs = { phase1: [], phase2: [] };

test('of two loads, the later answer stays even when the earlier one comes last', async () => {
  const slow = deferred<unknown>();
  let n = 0;
  const fake = fakeConnection({
    'runs.get': () => (++n === 1 ? slow.promise : { id: 3, status: 'running', classes: [] }),
    'runs.epochs': () => epochs,
  });
  const page = new RunPageState(fake.studio, 3);
  const first = page.load();
  await page.load();
  slow.resolve({ id: 3, status: 'queued', classes: [] });
  await first;
  assert.equal(page.detail?.status, 'running');
  page.dispose();
});

test('the gallery shows the last cell clicked, whatever order the answers come in', async () => {
  const answers = new Map<number, ReturnType<typeof deferred<unknown>>>();
  const fake = fakeConnection({
    'runs.predictions': (input) => {
      const d = deferred<unknown>();
      answers.set((input as { trueClass: number }).trueClass, d);
      return d.promise;
    },
  });
  const page = new RunPageState(fake.studio, 3);
  const a = page.showCell({ trueClass: 0, predicted: 1 });
  const b = page.showCell({ trueClass: 1, predicted: 0 });
  await settle();
  answers.get(1)!.resolve({ items: [{ imageId: 11 }], total: 1 });
  answers.get(0)!.resolve({ items: [{ imageId: 10 }], total: 1 });
  await Promise.all([a, b]);
  assert.deepEqual(
    page.predictions.map((p) => p.imageId),
    [11],
  );
  page.dispose();
});

test('an export is busy while it runs, and its failure is shown on the page', async () => {
  const held = deferred<unknown>();
  const fake = fakeConnection({ 'runs.export': () => held.promise });
  const page = new RunPageState(fake.studio, 3);
  const exporting = page.exportModel('onnx');
  assert.equal(page.exporting, true);
  held.reject(new StudioError('not-found', 'Run 3 has no saved model.'));
  await exporting;
  assert.equal(page.exporting, false);
  assert.equal(page.error, 'Run 3 has no saved model.');
  assert.equal(page.exported, null);
  page.dispose();
});
