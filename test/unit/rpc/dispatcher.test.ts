// The contract over two in-memory ends: inputs parsed on the main side, errors as {code, message},
// unknown members refused by name, events delivered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Handlers } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import { createClient } from '../../../src-shared/rpc';
import { EventHub, memoryTransports, serve } from '../../../src-main/rpc/dispatcher';

function harness(overrides: Partial<Record<string, Record<string, (i: any) => unknown>>> = {}) {
  const seen: unknown[] = [];
  const handlers = {
    project: {
      open: (input: unknown) => {
        seen.push(input);
        return { path: '/p', name: 'p', schemaVersion: 1, images: 0, classes: 0, problems: 0, readOnly: false };
      },
      current: () => null,
      close: () => null,
    },
    dataset: {
      image: ({ id }: { id: number }) => {
        throw new StudioError('not-found', `No image with id ${id}.`);
      },
      classes: () => [{ id: 1, name: 'cat', color: '#fff', count: 'many' }],
    },
    ...overrides,
  } as unknown as Handlers;
  const hub = new EventHub();
  const ends = memoryTransports();
  const stop = serve(handlers, hub, ends.server);
  const client = createClient(ends.client);
  return { client, hub, seen, stop };
}

test('a call is parsed on the main side and defaults are applied', async () => {
  const { client, seen } = harness();
  const info = await client.api.project.open({ path: '/p' });
  assert.equal(info.name, 'p');
  assert.deepEqual(seen, [{ path: '/p', create: false }]);
});

test('bad input is refused with the field named', async () => {
  const { client, seen } = harness();
  await assert.rejects(client.api.project.open({ path: 42 as unknown as string }), (err: StudioError) => {
    assert.equal(err.code, 'invalid-input');
    assert.match(err.message, /project\.open: field "path"/);
    return true;
  });
  await assert.rejects(client.api.project.open({ path: '/p', extra: 1 } as never), { code: 'invalid-input' });
  assert.deepEqual(seen, []);
});

test('unknown members fail loudly by name, including prototype names', async () => {
  const { client } = harness();
  const api = client.api as unknown as Record<string, Record<string, () => Promise<unknown>>>;
  await assert.rejects(api.project.explode(), { code: 'method-not-found', message: 'Method not found: project.explode' });
  await assert.rejects(api.project.constructor(), { code: 'method-not-found' });
  await assert.rejects((api.__proto__.toString as unknown as () => Promise<unknown>)(), { code: 'method-not-found' });
});

test('a handler error crosses as its code and message', async () => {
  const { client } = harness();
  await assert.rejects(client.api.dataset.image({ id: 7 }), { name: 'StudioError', code: 'not-found', message: 'No image with id 7.' });
});

test('an output that breaks the contract is an internal error, not bad data in the UI', async () => {
  const { client } = harness();
  await assert.rejects(client.api.dataset.classes(), { code: 'internal' });
});

test('events reach subscribers and stop after unsubscribe', async () => {
  const { client, hub } = harness();
  const got: number[] = [];
  const off = client.on('imports.progress', (p) => got.push(p.done));
  const progress = {
    importId: 1, root: '/r', status: 'running' as const, phase: 'importing' as const,
    total: 10, done: 3, imported: 3, skipped: 0, problems: 0, imagesPerSecond: 1, etaSeconds: 7,
  };
  hub.emit('imports.progress', progress);
  await new Promise((r) => setTimeout(r, 5));
  off();
  hub.emit('imports.progress', { ...progress, done: 4 });
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(got, [3]);
});

test('an event payload that breaks its schema is refused at the source', () => {
  const { hub } = harness();
  assert.throws(() => hub.emit('imports.progress', { done: 'x' } as never));
});
