import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Batched } from '../../../../src-renderer/lib/batched';

describe('Batched', () => {
  it('applies the first of a burst at once and the rest together after the interval, in arrival order', async () => {
    const calls: number[][] = [];
    const batched = new Batched<number>((items) => calls.push(items), 30);
    for (let i = 0; i < 500; i++) batched.add(i);
    assert.deepEqual(calls, [[0]]);
    await sleep(90);
    assert.equal(calls.length, 2);
    assert.deepEqual(
      calls[1],
      Array.from({ length: 499 }, (_, i) => i + 1),
    );
  });

  it('applies at once again after a quiet interval', async () => {
    const calls: string[][] = [];
    const batched = new Batched<string>((items) => calls.push(items), 20);
    batched.add('a');
    await sleep(60);
    batched.add('b');
    assert.deepEqual(calls, [['a'], ['b']]);
  });

  it('drops what waits when cancelled and never applies an empty batch', async () => {
    const calls: number[][] = [];
    const batched = new Batched<number>((items) => calls.push(items), 20);
    batched.add(1);
    batched.add(2);
    batched.cancel();
    batched.flush();
    await sleep(60);
    assert.deepEqual(calls, [[1]]);
  });
});
