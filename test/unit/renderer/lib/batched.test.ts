import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Batched } from '../../../../src-renderer/lib/batched';

describe('Batched', () => {
  it('applies a burst once, in arrival order, after its interval', async () => {
    const calls: number[][] = [];
    const batched = new Batched<number>((items) => calls.push(items), 20);
    for (let i = 0; i < 500; i++) batched.add(i);
    assert.deepEqual(calls, []);
    await sleep(60);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], Array.from({ length: 500 }, (_, i) => i));
  });

  it('starts a new interval for what arrives after a flush', async () => {
    const calls: string[][] = [];
    const batched = new Batched<string>((items) => calls.push(items), 20);
    batched.add('a');
    batched.flush();
    batched.add('b');
    batched.add('c');
    await sleep(60);
    assert.deepEqual(calls, [['a'], ['b', 'c']]);
  });

  it('drops what waits when cancelled and never applies an empty batch', async () => {
    const calls: number[][] = [];
    const batched = new Batched<number>((items) => calls.push(items), 20);
    batched.add(1);
    batched.cancel();
    batched.flush();
    await sleep(60);
    assert.deepEqual(calls, []);
  });
});
