// The renderer's one loading/error/ticket helper: only the latest request's answer lands,
// loading follows the latest request, a failure becomes words and clears on success, and a
// burst of reloads costs one fetch in flight and one after it.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { StudioError } from '../../../../../src-shared/errors';

register('../../../../integration/renderer/svelte-modules.mjs', import.meta.url);
const { Coalesced, Request } = await import('../../../../../src-renderer/lib/state/request.svelte');

/** A promise settled from outside, to order answers as a test needs. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('an older answer arriving last does not land; loading follows the latest request', async () => {
  const r = new Request();
  const shown: string[] = [];
  const first = deferred<string>();
  const second = deferred<string>();
  const a = r.run(
    () => first.promise,
    (v) => shown.push(v),
  );
  const b = r.run(
    () => second.promise,
    (v) => shown.push(v),
  );
  assert.equal(r.loading, true);
  second.resolve('new');
  assert.equal(await b, true);
  assert.equal(r.loading, false);
  first.resolve('old');
  assert.equal(await a, false);
  assert.deepEqual(shown, ['new']);
  assert.equal(r.loading, false);
});

test('a failure becomes the studio message, a stale failure is ignored, and success clears it', async () => {
  const r = new Request();
  assert.equal(
    await r.run(
      () => Promise.reject(new StudioError('not-found', 'Run 7 is gone.')),
      () => {},
    ),
    false,
  );
  assert.equal(r.error, 'Run 7 is gone.');
  assert.equal(
    await r.run(
      () => Promise.resolve(1),
      () => {},
    ),
    true,
  );
  assert.equal(r.error, null);
  const slow = deferred<number>();
  const stale = r.run(
    () => slow.promise,
    () => {},
  );
  await r.run(
    () => Promise.resolve(2),
    () => {},
  );
  slow.reject(new Error('boom'));
  assert.equal(await stale, false);
  assert.equal(r.error, null, 'the overtaken failure does not show');
  await r.run(
    () => Promise.reject(new Error('disk')),
    () => {},
    { quiet: true },
  );
  assert.equal(r.error, null, 'a quiet request keeps its failure off the page');
});

test('drop forgets what is in flight', async () => {
  const r = new Request();
  const d = deferred<number>();
  let applied = 0;
  const p = r.run(
    () => d.promise,
    (v) => (applied = v),
  );
  r.drop();
  assert.equal(r.loading, false);
  d.resolve(5);
  assert.equal(await p, false);
  assert.equal(applied, 0);
});

test('a burst of reloads runs one fetch in flight and one after it', async () => {
  let calls = 0;
  let gate = deferred<void>();
  const c = new Coalesced(() => (calls++, gate.promise));
  const first = c.run();
  void c.run();
  void c.run();
  assert.equal(calls, 1);
  const held = gate;
  gate = deferred<void>();
  held.resolve();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2, 'one more for the events that came meanwhile');
  gate.resolve();
  await new Promise((r) => setImmediate(r));
  void c.run();
  assert.equal(calls, 3);
});

test('an action shows its busy flag and failure, and no later request makes it stale', async () => {
  const r = new Request();
  const d = deferred<number>();
  const acting = r.act(() => d.promise);
  assert.equal(r.loading, true);
  await r.run(
    () => Promise.resolve(1),
    () => {},
  );
  assert.equal(r.loading, true, 'the action is still under way');
  d.resolve(7);
  assert.equal(await acting, 7);
  assert.equal(r.loading, false);
  assert.equal(await r.act(() => Promise.reject(new StudioError('busy', 'A run is training.'))), undefined);
  assert.equal(r.error, 'A run is training.');
  const next = r.act(() => Promise.resolve(0));
  assert.equal(r.error, null, 'a new action clears the last failure as it starts');
  await next;
});

test('requests that share one error line keep their own tickets and busy flags', async () => {
  const page = new Request();
  const gallery = new Request(page);
  const slow = deferred<string>();
  const load = page.run(
    () => slow.promise,
    () => {},
  );
  await gallery.act(() => Promise.reject(new StudioError('internal', 'export failed')));
  assert.equal(page.error, 'export failed', 'the failure shows on the shared line');
  assert.equal(page.loading, true);
  assert.equal(gallery.loading, false);
  slow.resolve('ok');
  assert.equal(await load, true, 'the other request did not overtake the page load');
  assert.equal(gallery.error, null, 'its success clears the shared line');
});

test('requests beside each other all land until one overtakes them; a paged fetch can see it is stale', async () => {
  const r = new Request();
  const a = deferred<number>();
  const b = deferred<number>();
  const got: number[] = [];
  const pa = r.run(
    () => a.promise,
    (v) => got.push(v),
    { beside: true },
  );
  const pb = r.run(
    () => b.promise,
    (v) => got.push(v),
    { beside: true },
  );
  b.resolve(2);
  await pb;
  assert.equal(r.loading, true, 'one page is still loading');
  a.resolve(1);
  await pa;
  assert.deepEqual(got, [2, 1]);
  assert.equal(r.loading, false);
  let stale: () => boolean = () => false;
  const c = deferred<number>();
  const pc = r.run(
    (s) => ((stale = s), c.promise),
    (v) => got.push(v),
    { beside: true },
  );
  assert.equal(stale(), false);
  r.drop();
  assert.equal(stale(), true);
  c.resolve(3);
  assert.equal(await pc, false);
  assert.deepEqual(got, [2, 1]);
});

test('a quiet request tells `failed` of its own failure, not of an overtaken one', async () => {
  const r = new Request();
  const failures: string[] = [];
  const failed = (err: unknown) => failures.push((err as Error).message);
  const old = deferred<number>();
  const first = r.run(
    () => old.promise,
    () => {},
    { quiet: true, failed },
  );
  await r.run(
    () => Promise.reject(new Error('latest')),
    () => {},
    { quiet: true, failed },
  );
  old.reject(new Error('overtaken'));
  await first;
  assert.deepEqual(failures, ['latest']);
  assert.equal(r.error, null);
});
