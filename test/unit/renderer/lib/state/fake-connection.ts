// A stand-in for the renderer's Connection, for state classes tested without a studio: each
// call `service.method(input)` goes to the answer a test put under 'service.method' (a
// function of the input), the calls are recorded, and `emit` plays a studio event.
import type { Connection } from '../../../../../src-renderer/lib/state/connection.svelte';

export type Answer = (input: unknown) => unknown;

export interface FakeConnection {
  studio: Connection;
  calls: string[];
  answers: Map<string, Answer>;
  emit(event: string, payload: unknown): void;
}

export function fakeConnection(answers: Record<string, Answer> = {}): FakeConnection {
  const calls: string[] = [];
  const table = new Map(Object.entries(answers));
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const service = (name: string) =>
    new Proxy(
      {},
      {
        get: (_, method: string) => async (input: unknown) => {
          calls.push(`${name}.${method}`);
          const answer = table.get(`${name}.${method}`);
          if (!answer) throw new Error(`no answer for ${name}.${method}`);
          return answer(input);
        },
      },
    );
  const studio = {
    api: new Proxy({}, { get: (_, name: string) => service(name) }),
    on(event: string, listener: (p: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set.add(listener));
      return () => set.delete(listener);
    },
    choose: (path: string) => Promise.resolve(path),
  } as unknown as Connection;
  return {
    studio,
    calls,
    answers: table,
    emit: (event, payload) => listeners.get(event)?.forEach((l) => l(payload)),
  };
}

/** A promise settled from outside, to order answers as a test needs. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
