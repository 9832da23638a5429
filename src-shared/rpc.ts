// The wire protocol of the contract and its client. Any transport that moves JSON-able
// messages both ways will do: Electron IPC, a WebSocket, or two in-memory ends in tests.
import { z } from 'zod';
import type { Api, EventName, EventPayload } from './contract';
import { StudioError, type WireError } from './errors';

/** Electron's one IPC channel between the preload bridge and the main process. */
export const IPC_CHANNEL = 'studio:rpc';

/** Longer than any id a client makes; a reply echoes the id, so it must stay small. */
export const CALL_ID_MAX = 64;
/** Longer than any service or method name; an unknown one is echoed in the error. */
export const MEMBER_NAME_MAX = 100;
/**
 * Deeper than any message the contract makes (a run config nests about 6 levels). Deeper ones
 * would cost the server seconds in JSON.parse and overflow the stack in JSON.stringify.
 */
export const NESTING_MAX = 64;
/** Values in one input: the largest legitimate call holds 200,000 ids. */
export const INPUT_VALUES_MAX = 1_000_000;

/** A number or a short string: what a reply may echo without cost or risk. */
export const CallId = z.union([z.number(), z.string().max(CALL_ID_MAX)], {
  error: `must be a number or a string of at most ${CALL_ID_MAX} characters`,
});
export type CallId = z.infer<typeof CallId>;

/** The envelope of a call, checked before anything reads or echoes it; the input is the method's to parse. */
export const CallEnvelope = z.object({
  kind: z.literal('call'),
  id: CallId,
  service: z.string().max(MEMBER_NAME_MAX),
  method: z.string().max(MEMBER_NAME_MAX),
  input: z
    .unknown()
    .refine(withinBounds, `nests deeper than ${NESTING_MAX - 1} levels or holds more than ${INPUT_VALUES_MAX} values`)
    .optional(),
});

export type ClientMessage = { kind: 'call'; id: CallId; service: string; method: string; input: unknown };
export type ServerMessage =
  | { kind: 'result'; id: CallId; ok: true; value: unknown }
  | { kind: 'result'; id: CallId; ok: false; error: WireError }
  | { kind: 'event'; name: string; payload: unknown };
/** Not an answer to any call (a message that was not one, with no id to answer): the connection was refused something. */
export type RefusedMessage = { kind: 'refused'; error: WireError };
/** Everything the main side sends. */
export type MainMessage = ServerMessage | RefusedMessage;

/** Walks without recursion, so that no depth can overflow the stack; a cycle counts as too deep. */
export function withinBounds(value: unknown): boolean {
  const stack: object[] = [];
  const depths: number[] = [];
  let values = 1;
  const visit = (item: unknown, depth: number) => {
    if (typeof item !== 'object' || item === null) return;
    stack.push(item);
    depths.push(depth);
  };
  visit(value, 1);
  while (stack.length > 0) {
    const item = stack.pop()!;
    const depth = depths.pop()!;
    if (depth >= NESTING_MAX) return false;
    // A typed array (IPC carries them) holds only numbers: its length is all there is to count.
    const children = ArrayBuffer.isView(item) ? [] : Array.isArray(item) ? item : Object.values(item);
    values += ArrayBuffer.isView(item) ? item.byteLength : children.length;
    if (values > INPUT_VALUES_MAX) return false;
    for (const child of children) visit(child, depth + 1);
  }
  return true;
}

/** Whether JSON text nests deeper than `limit`, read before JSON.parse spends seconds on it; brackets in strings do not count. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

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

export function createClient(transport: Transport<MainMessage, ClientMessage>): Client {
  let nextId = 1;
  const pending = new Map<CallId, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const stop = transport.onMessage((message) => {
    // A refusal answers a message this client never makes (not a call, no id): nothing waits for it.
    if (message.kind === 'refused') return;
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
      for (const call of pending.values())
        call.reject(new StudioError('cancelled', 'The connection to the studio closed.'));
      pending.clear();
    },
  };
}
