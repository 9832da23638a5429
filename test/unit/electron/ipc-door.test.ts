// Electron's IPC door with what a hostile renderer can send: structured clone carries NaN,
// BigInt, Maps, cycles and nesting no JSON could. Electron cannot run here, so ipcMain and the
// window are EventEmitters; messages arrive as built (a superset of what Electron's clone lets
// through) and the window's send clones replies as Electron's does (structuredClone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { serveIpc } from '../../../src-main/electron/ipc-door';
import { EventHub } from '../../../src-main/rpc/dispatcher';
import type { Handlers } from '../../../src-shared/contract';
import { fixedProvider } from '../../helpers/fixed-provider';
import { IPC_CHANNEL, type MainMessage } from '../../../src-shared/rpc';

class FakeContents extends EventEmitter {
  received: MainMessage[] = [];
  failNext = 0;
  isDestroyed() {
    return false;
  }
  send(channel: string, message: MainMessage) {
    assert.equal(channel, IPC_CHANNEL);
    if (this.failNext-- > 0) throw new Error('An object could not be cloned.');
    this.received.push(structuredClone(message));
  }
}

function door() {
  const ipc = new EventEmitter();
  const handlers = fixedProvider({ project: { current: () => null } } as unknown as Handlers);
  const logs: string[] = [];
  serveIpc(ipc, handlers, new EventHub(), (line) => logs.push(line));
  const win = new FakeContents();
  const sendRaw = async (message: unknown) => {
    const before = win.received.length;
    ipc.emit(IPC_CHANNEL, { sender: win }, message);
    for (let i = 0; i < 100 && win.received.length === before; i++) await new Promise((ok) => setTimeout(ok, 1));
    return win.received.slice(before);
  };
  return { win, logs, sendRaw };
}

function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

const current = { kind: 'call', service: 'project', method: 'current', input: {} };

test('every hostile message gets one reply and no rejection escapes; a real call still answers', async () => {
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);
  process.on('unhandledRejection', onRejection);
  try {
    const { sendRaw } = door();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const hostile = [
      { ...current, id: nested(5000) },
      { ...current, id: Number.NaN },
      { ...current, id: 10n },
      { ...current, id: new Map([[1, 2]]) },
      { ...current, id: 1, input: cyclic },
      { ...current, id: 2, service: new Map([['a', 1]]) },
      { ...current, id: 3, input: new Uint8Array(2_000_000) },
      { ...current, id: 4, service: '__proto__', method: 'constructor' },
      undefined,
      nested(10_000),
    ];
    for (const [i, message] of hostile.entries()) {
      const replies = await sendRaw(message);
      assert.equal(replies.length, 1, `one reply to hostile message ${i}`);
      const reply = replies[0];
      assert.ok(reply.kind === 'refused' || (reply.kind === 'result' && !reply.ok), JSON.stringify(reply));
    }
    const [ok] = await sendRaw({ ...current, id: 99 });
    assert.deepEqual(ok, { kind: 'result', id: 99, ok: true, value: null });
    assert.deepEqual(rejections, []);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});

test('a reply the window cannot take is answered as an internal error by its id, once', async () => {
  const { win, logs, sendRaw } = door();
  win.failNext = 1;
  const replies = await sendRaw({ ...current, id: 5 });
  assert.equal(replies.length, 1);
  const reply = replies[0] as Extract<MainMessage, { ok: false }>;
  assert.deepEqual([reply.id, reply.error.code], [5, 'internal']);
  assert.ok(logs.some((l) => l.includes('could not be cloned')));
});
