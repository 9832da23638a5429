import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { adoptParentPort, FLUSH_MS } from '../../../../src-training/process/parent-port';
import type { ParentPortLike } from '../../../../src-training/process/parent-port';

class FakePort extends EventEmitter implements ParentPortLike {
  posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
}

type Proc = EventEmitter & { send?: (...args: unknown[]) => boolean; parentPort?: FakePort };

test('in a utility process, send posts to the parent port and port messages arrive as "message"', async () => {
  const port = new FakePort();
  const proc: Proc = Object.assign(new EventEmitter(), { parentPort: port });
  assert.equal(adoptParentPort(proc), true);
  const got: unknown[] = [];
  proc.on('message', (m) => got.push(m));
  port.emit('message', { data: { type: 'cancel' } });
  assert.deepEqual(got, [{ type: 'cancel' }]);

  const t0 = Date.now();
  await new Promise<void>((resolve) => proc.send!({ type: 'ready' }, () => resolve()));
  assert.deepEqual(port.posted, [{ type: 'ready' }]);
  assert.ok(Date.now() - t0 >= FLUSH_MS - 5, 'the callback waits for the port to hand the message over');
});

test('under Node (an IPC channel, or no parent port) nothing changes', () => {
  const send = () => true;
  const withIpc: Proc = Object.assign(new EventEmitter(), { send, parentPort: new FakePort() });
  assert.equal(adoptParentPort(withIpc), false);
  assert.equal(withIpc.send, send);
  const plain: Proc = new EventEmitter();
  assert.equal(adoptParentPort(plain), false);
  assert.equal(plain.send, undefined);
});
