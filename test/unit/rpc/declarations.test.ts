// What the contract declares beside each schema (the open project a method needs, the path
// arguments the path guard checks) is enforced by the dispatcher, for every slice alike, before
// the service's method runs; and a slice made of several objects answers every method.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contract, type Handlers, type PathRule } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import { invoke, localHandlers, type Provider } from '../../../src-main/rpc/dispatcher';
import { sliceOf } from '../../../src-main/rpc/slice';

function provider(slices: Partial<Handlers>, refuse: (path: string, rule: PathRule) => boolean = () => false) {
  const checked: Array<[string, PathRule['mode'], string]> = [];
  const p: Provider = {
    slice: (s) => (slices[s] as never) ?? null,
    checkPath: (path, rule) => {
      checked.push([path, rule.mode, rule.label]);
      if (refuse(path, rule)) throw new StudioError('path-not-allowed', `${rule.label} ${path} is not allowed`);
    },
    translate: (err) =>
      err instanceof Error && err.message === 'disk I/O' ? new StudioError('busy', 'translated') : err,
  };
  return { p, checked };
}

test('a method on the open project is refused with no-project when none is open, and never runs', () => {
  const { p } = provider({});
  const h = localHandlers(p);
  assert.throws(() => h.runs.list({}), { code: 'no-project', message: /No project is open/ });
  assert.throws(() => h.labels.undo({}), { code: 'no-project' });
  // Bad input is still named first: the door checks the envelope's input before the project.
  assert.throws(() => h.runs.get({ runId: 'x' } as never), { code: 'invalid-input' });
});

test('every slice but the studio-wide ones is declared as needing the project', () => {
  const needs = Object.entries(contract).flatMap(([s, methods]) =>
    Object.entries(methods).map(([m, def]) => `${s}.${m}:${'project' in def && def.project === true}`),
  );
  for (const entry of needs) {
    const open = /^(imports|dataset|labels|classes|runs|curation|assist|map)\./.test(entry);
    assert.ok(entry.endsWith(`:${open}`), entry);
  }
});

test('path arguments pass the guard in the declared order; an absent optional one is skipped', async () => {
  const calls: unknown[] = [];
  const restore = (input: unknown) => (calls.push(input), { project: '/p', from: '/b', keptAside: [] });
  const { p, checked } = provider({ project: { restore } as unknown as Handlers['project'] });
  await localHandlers(p).project.restore({ path: '/p', from: '/b' });
  await localHandlers(p).project.restore({ path: '/q' });
  assert.deepEqual(checked, [
    ['/p', 'project', 'Project folder'],
    ['/b', 'read', 'Backup file'],
    ['/q', 'project', 'Project folder'],
  ]);
  assert.equal(calls.length, 2);
});

test('a refused path stops the call before the service sees it', () => {
  const calls: unknown[] = [];
  const exportCsv = (input: unknown) => (calls.push(input), { file: '/x', rows: 0 });
  const { p, checked } = provider({ curation: { exportCsv } as unknown as Handlers['curation'] }, () => true);
  assert.throws(() => localHandlers(p).curation.exportCsv({ file: '/proj/studio.db' }), {
    code: 'path-not-allowed',
    message: 'CSV file /proj/studio.db is not allowed',
  });
  assert.deepEqual(checked, [['/proj/studio.db', 'write', 'CSV file']]);
  assert.deepEqual(calls, []);
});

test("a new folder's parent must be inside the browser's roots (the 'browse' rule), checked before it is made", () => {
  const calls: unknown[] = [];
  const makeFolder = (input: unknown) => (calls.push(input), { path: '/home/a/new' });
  const refuseOutside = (path: string, rule: PathRule) => rule.mode === 'browse' && !path.startsWith('/home/');
  const { p, checked } = provider({ folders: { makeFolder } as unknown as Handlers['folders'] }, refuseOutside);
  assert.deepEqual(localHandlers(p).folders.makeFolder({ parent: '/home/a', name: 'new' }), { path: '/home/a/new' });
  assert.throws(() => localHandlers(p).folders.makeFolder({ parent: '/etc', name: 'new' }), {
    code: 'path-not-allowed',
    message: 'Parent folder /etc is not allowed',
  });
  assert.deepEqual(checked, [
    ['/home/a', 'browse', 'Parent folder'],
    ['/etc', 'browse', 'Parent folder'],
  ]);
  assert.deepEqual(calls, [{ parent: '/home/a', name: 'new' }]);
});

test("a failure inside a method goes through the provider's translate, sync or async", async () => {
  const fail = () => {
    throw new Error('disk I/O');
  };
  const { p } = provider({
    runs: { list: fail, epochs: () => Promise.reject(new Error('disk I/O')) } as unknown as Handlers['runs'],
  });
  assert.throws(() => invoke(p, 'runs', 'list', {}), { code: 'busy', message: 'translated' });
  await assert.rejects(invoke(p, 'runs', 'epochs', { runId: 1 }) as Promise<unknown>, { code: 'busy' });
});

test('a slice made of several objects sends each method to the one that has it, bound to it', () => {
  class Queue {
    n = 2;
    list() {
      return this.n;
    }
  }
  const rest = Object.fromEntries(
    Object.keys(contract.runs)
      .filter((m) => m !== 'list')
      .map((m) => [m, () => m]),
  );
  const slice = sliceOf('runs', new Queue(), rest);
  assert.equal((slice.list as unknown as () => number)(), 2);
  assert.equal((slice.bakeoffs as unknown as () => string)(), 'bakeoffs');
  assert.throws(() => sliceOf('runs', new Queue()), /runs\.start: no part of the slice implements it/);
});
