// The wire protocol of the contract and its client. Any transport that moves JSON-able
// messages both ways will do: Electron IPC, a WebSocket, or two in-memory ends in tests.
import type { Api, EventName, EventPayload } from './contract';
import { StudioError, type WireError } from './errors';

/** Electron's one IPC channel between the preload bridge and the main process. */
export const IPC_CHANNEL = 'studio:rpc';

export type ClientMessage = { kind: 'call'; id: number; service: string; method: string; input: unknown };
export type ServerMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: WireError }
  | { kind: 'event'; name: string; payload: unknown };

export interface Transport<In, Out> {
  send(message: Out): void;
  /** Registers the receiver; returns a function that unregisters it. */
  onMessage(listener: (message: In) => void): () => void;
}

export type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

export interface Client {
  api: Api;
  on<E extends EventName>(name: E, listener: Listener<E>): () => void;
  dispose(): void;
}

export function createClient(transport: Transport<ServerMessage, ClientMessage>): Client {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const stop = transport.onMessage((message) => {
    if (message.kind === 'event') {
      for (const listener of listeners.get(message.name) ?? []) listener(message.payload);
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.ok) call.resolve(message.value);
    else call.reject(new StudioError(message.error.code, message.error.message));
  });

  const call = (service: string, method: string, input: unknown) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      transport.send({ kind: 'call', id, service, method, input: input ?? {} });
    });

  const serviceProxy = (service: string) =>
    new Proxy({}, { get: (_t, method) => (input: unknown) => call(service, String(method), input) });
  const api = new Proxy({}, { get: (_t, service) => serviceProxy(String(service)) }) as Api;

  return {
    api,
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    dispose() {
      stop();
      for (const call of pending.values()) call.reject(new StudioError('cancelled', 'The connection to the studio closed.'));
      pending.clear();
    },
  };
}
