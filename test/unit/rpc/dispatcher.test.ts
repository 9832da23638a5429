// The contract over two in-memory ends: inputs parsed on the main side, errors as {code, message},
// unknown members refused by name, events delivered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Handlers } from '../../../src-shared/contract';
import { StudioError } from '../../../src-shared/errors';
import { createClient, NESTING_MAX, type MainMessage } from '../../../src-shared/rpc';
import { answer, EventHub, memoryTransports, serve } from '../../../src-main/rpc/dispatcher';
import { fixedProvider } from '../../helpers/fixed-provider';

function harnessHandlers(overrides: Partial<Record<string, Record<string, (i: any) => unknown>>> = {}) {
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
  return { handlers: fixedProvider(handlers), seen };
}

function harness(overrides: Partial<Record<string, Record<string, (i: any) => unknown>>> = {}) {
  const { handlers, seen } = harnessHandlers(overrides);
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
  await assert.rejects(api.project.explode(), {
    code: 'method-not-found',
    message: 'Method not found: project.explode',
  });
  await assert.rejects(api.project.constructor(), { code: 'method-not-found' });
  await assert.rejects((api.__proto__.toString as unknown as () => Promise<unknown>)(), { code: 'method-not-found' });
});

test('a handler error crosses as its code and message', async () => {
  const { client } = harness();
  await assert.rejects(client.api.dataset.image({ id: 7 }), {
    name: 'StudioError',
    code: 'not-found',
    message: 'No image with id 7.',
  });
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
    importId: 1,
    root: '/r',
    status: 'running' as const,
    phase: 'importing' as const,
    total: 10,
    done: 3,
    imported: 3,
    skipped: 0,
    problems: 0,
    imagesPerSecond: 1,
    etaSeconds: 7,
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

/** Nested arrays built without recursion, as deep as the 10 KB message and deeper. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

const current = { kind: 'call', service: 'project', method: 'current', input: {} };

test('an id nested 5,000 deep is refused without being echoed, and the reply serialises', async () => {
  const { handlers } = harnessHandlers();
  const reply = await answer(handlers, { ...current, id: nested(5000) }, () => undefined);
  assert.equal(reply.kind, 'refused');
  assert.doesNotThrow(() => JSON.stringify(reply));
  assert.match(JSON.stringify(reply), /field \\"id\\": must be a number or a string of at most 64 characters/);
});

test('a bad envelope with a usable id is answered by that id, naming the field', async () => {
  const { handlers } = harnessHandlers();
  const check = async (message: unknown, id: unknown, field: RegExp) => {
    const reply = (await answer(handlers, message, () => undefined)) as Extract<MainMessage, { ok: false }>;
    assert.equal(reply.kind, 'result');
    assert.equal(reply.id, id);
    assert.equal(reply.error.code, 'invalid-input');
    assert.match(reply.error.message, field);
  };
  await check({ ...current, id: 3, kind: 'result' }, 3, /field "kind"/);
  await check({ ...current, id: 'a', service: { toString: 1 } }, 'a', /field "service"/);
  await check({ ...current, id: 4, method: 'x'.repeat(101) }, 4, /field "method"/);
  await check({ ...current, id: 5, input: nested(NESTING_MAX) }, 5, /field "input": nests deeper than 63 levels/);
});

test('what has no usable id is refused, echoing nothing', async () => {
  const { handlers } = harnessHandlers();
  for (const message of [
    null,
    [],
    'call',
    7,
    { ...current },
    { ...current, id: 'x'.repeat(65) },
    { ...current, id: Number.NaN },
    { ...current, id: 1n },
    { ...current, id: { a: 1 } },
  ]) {
    const reply = await answer(handlers, message, () => undefined);
    assert.equal(reply.kind, 'refused', JSON.stringify(reply));
  }
});

test('a cyclic input (Electron IPC carries cycles) is refused as too deep, not walked forever', async () => {
  const { handlers } = harnessHandlers();
  const input: Record<string, unknown> = {};
  input.self = input;
  const reply = (await answer(handlers, { ...current, id: 9, input }, () => undefined)) as Extract<
    MainMessage,
    { ok: false }
  >;
  assert.equal(reply.error.code, 'invalid-input');
});

test('a reply the transport cannot send becomes an internal error by its id; nothing throws', async () => {
  const { handlers } = harnessHandlers();
  const sent: MainMessage[] = [];
  const logs: string[] = [];
  let listener: (m: unknown) => void = () => undefined;
  let failures = 1;
  serve(
    handlers,
    new EventHub(),
    {
      send: (m) => {
        if (failures-- > 0) throw new RangeError('Maximum call stack size exceeded');
        sent.push(m);
      },
      onMessage: (l) => ((listener = l), () => undefined),
    },
    (line) => logs.push(line),
  );
  listener({ ...current, id: 11 });
  await new Promise((ok) => setTimeout(ok, 10));
  assert.equal(sent.length, 1);
  const reply = sent[0] as Extract<MainMessage, { ok: false }>;
  assert.deepEqual([reply.kind, reply.id, reply.error.code], ['result', 11, 'internal']);
  assert.match(reply.error.message, /^Internal error \(id [0-9a-f]{8}\)/);
  assert.ok(logs.some((l) => l.includes('Maximum call stack size exceeded')));
});

test('the in-memory door throws at the sender for a message no wire could carry, and keeps serving', async () => {
  const { client } = harness();
  const ends = memoryTransports();
  assert.throws(() => ends.client.send({ ...current, id: nested(20_000) } as never), RangeError);
  assert.equal(await client.api.project.current(), null);
});
