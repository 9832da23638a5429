// The main side of the contract: parses every input with the contract's schema, calls the
// handler, and turns any failure into {code, message}. Unknown members fail loudly; an
// unexpected failure reaches the client as an id, its detail only in the log. Whatever
// arrives, nothing here throws or rejects: every door (WebSocket, Electron IPC, in-process)
// shares one process with every window, import and run.
import {
  contract,
  events,
  type EventName,
  type EventPayload,
  type Handlers,
  type MethodDef,
} from '../../src-shared/contract';
import { StudioError, toWireError } from '../../src-shared/errors';
import {
  CallEnvelope,
  CallId,
  type ClientMessage,
  type MainMessage,
  type ServerMessage,
  type Transport,
} from '../../src-shared/rpc';
import { reportInternal, stderrLog, type LogLine } from './internal-error';

export class EventHub {
  readonly #sinks = new Set<(message: ServerMessage) => void>();

  subscribe(sink: (message: ServerMessage) => void): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const parsed = events[name].parse(payload);
    for (const sink of this.#sinks) sink({ kind: 'event', name, payload: parsed });
  }
}

export async function dispatch(
  handlers: Handlers,
  message: ClientMessage,
  log: LogLine = stderrLog,
): Promise<ServerMessage> {
  const { id, service, method } = message;
  try {
    const services = contract as unknown as Record<string, Record<string, MethodDef>>;
    const def =
      Object.hasOwn(services, service) && Object.hasOwn(services[service], method)
        ? services[service][method]
        : undefined;
    if (!def) throw new StudioError('method-not-found', `Method not found: ${service}.${method}`);
    const parsed = def.input.safeParse(message.input ?? {});
    if (!parsed.success)
      throw new StudioError(
        'invalid-input',
        `${service}.${method}: ${describeIssue(parsed.error.issues[0], '(input)')}`,
      );
    const handler = (handlers as unknown as Record<string, Record<string, (i: unknown) => unknown>>)[service][method];
    const value = await handler(parsed.data);
    return { kind: 'result', id, ok: true, value: def.output.parse(value) };
  } catch (err) {
    return { kind: 'result', id, ok: false, error: toWireError(err, (e) => reportInternal(e, log).message) };
  }
}

/** Issue messages may quote what was sent (an unknown key): a long one is cut so a reply stays small. */
const ISSUE_TEXT_MAX = 300;

function describeIssue(issue: { path: PropertyKey[]; message: string }, whole: string): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : whole;
  const text = issue.message.length > ISSUE_TEXT_MAX ? `${issue.message.slice(0, ISSUE_TEXT_MAX)}...` : issue.message;
  return `field "${field}": ${text}`;
}

/**
 * Answers one message as it came off a wire, never throwing or rejecting. The envelope is checked
 * before anything reads or echoes it: a bad one is answered by its id when that id is safe to
 * echo, otherwise by a refusal that echoes nothing.
 */
export async function answer(handlers: Handlers, raw: unknown, log: LogLine = stderrLog): Promise<MainMessage> {
  try {
    const envelope = CallEnvelope.safeParse(raw);
    if (envelope.success) return await dispatch(handlers, envelope.data as ClientMessage, log);
    const error = {
      code: 'invalid-input' as const,
      message: `Not a call: ${describeIssue(envelope.error.issues[0], '(message)')}. Send one {kind: "call", id, service, method, input}.`,
    };
    const id = usableId(raw);
    return id === undefined ? { kind: 'refused', error } : { kind: 'result', id, ok: false, error };
  } catch (err) {
    return { kind: 'refused', error: { code: 'internal', message: reportInternal(err, log).message } };
  }
}

function usableId(raw: unknown): CallId | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const id = CallId.safeParse((raw as { id?: unknown }).id);
  return id.success ? id.data : undefined;
}

/**
 * Sends through a transport that may throw (a reply it cannot serialise, a closed channel): the
 * caller then gets an internal error by its id instead, and nothing throws out of here.
 */
export function sendSafely(send: (message: MainMessage) => void, message: MainMessage, log: LogLine): void {
  try {
    send(message);
  } catch (err) {
    const error = { code: 'internal' as const, message: reportInternal(err, log).message };
    if (message.kind === 'event') return;
    try {
      send(
        message.kind === 'result' ? { kind: 'result', id: message.id, ok: false, error } : { kind: 'refused', error },
      );
    } catch (again) {
      log(`a reply could not be sent: ${again instanceof Error ? again.message : String(again)}`);
    }
  }
}

/** Serves the contract over one connection; returns a function that ends it. */
export function serve(
  handlers: Handlers,
  hub: EventHub,
  transport: Transport<unknown, MainMessage>,
  log: LogLine = stderrLog,
): () => void {
  const send = (m: MainMessage) => sendSafely((x) => transport.send(x), m, log);
  const stopEvents = hub.subscribe(send);
  const stopCalls = transport.onMessage((message) => {
    answer(handlers, message, log).then(send, (err) => log(`unanswered: ${String(err)}`));
  });
  return () => {
    stopEvents();
    stopCalls();
  };
}

/** Two connected in-memory ends, for tests and for in-process clients. */
export function memoryTransports(): {
  client: Transport<MainMessage, ClientMessage>;
  server: Transport<unknown, MainMessage>;
} {
  const toServer = new Set<(m: unknown) => void>();
  const toClient = new Set<(m: MainMessage) => void>();
  // A JSON round trip keeps tests honest about what can cross a real wire. It happens at once,
  // so a message that cannot cross throws at its sender, as a real socket's JSON.stringify would.
  const wire = <T>(m: T): T => JSON.parse(JSON.stringify(m));
  const deliver = <T>(listeners: Set<(m: T) => void>, m: T) => {
    const copy = wire(m);
    queueMicrotask(() => listeners.forEach((l) => l(copy)));
  };
  return {
    client: {
      send: (m) => deliver(toServer, m),
      onMessage: (l) => (toClient.add(l), () => toClient.delete(l)),
    },
    server: {
      send: (m) => deliver(toClient, m),
      onMessage: (l) => (toServer.add(l), () => toServer.delete(l)),
    },
  };
}
