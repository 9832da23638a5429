// The main side of the contract: parses every input with the contract's schema, calls the
// service's method of the same name, and turns any failure into {code, message}. Unknown members fail loudly; an
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
  type PathRule,
  type ServiceName,
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

/**
 * What a door serves: the object that implements each slice of the contract (a service, with the
 * contract's own method names and types), and the guards the contract's declarations call for.
 * No method is written twice: the dispatcher finds it on the slice by the contract's name.
 */
export interface Provider {
  /** The implementation of `service` now; null for a slice on the open project when none is open. */
  slice<S extends ServiceName>(service: S): Handlers[S] | null;
  /** The path guard: throws a refusal for a path argument the contract marks (see `PathRule`). */
  checkPath(path: string, rule: PathRule): void;
  /** What a failure inside a method becomes before it reaches the client (a store failure names the file). */
  translate?(err: unknown): unknown;
}

const services = contract as unknown as Record<string, Record<string, MethodDef>>;

function definition(service: string, method: string): MethodDef {
  const def =
    Object.hasOwn(services, service) && Object.hasOwn(services[service], method)
      ? services[service][method]
      : undefined;
  if (!def) throw new StudioError('method-not-found', `Method not found: ${service}.${method}`);
  return def;
}

/**
 * Serves one call on any door: parses the input with the contract's schema, refuses it when it
 * needs an open project and none is, checks its path arguments, then calls the slice's method of
 * the same name. Returns what the method returns (a value or a promise); a sync failure throws.
 */
export function invoke(provider: Provider, service: string, method: string, input: unknown): unknown {
  const def = definition(service, method);
  const parsed = def.input.safeParse(input ?? {});
  if (!parsed.success)
    throw new StudioError('invalid-input', `${service}.${method}: ${describeIssue(parsed.error.issues[0], '(input)')}`);
  const slice = provider.slice(service as ServiceName) as Record<string, (i: unknown) => unknown> | null;
  if (!slice) throw new StudioError('no-project', 'No project is open. Open or create a project folder first.');
  const args = parsed.data as Record<string, unknown>;
  for (const [field, rule] of Object.entries(def.paths ?? {}))
    if (typeof args[field] === 'string') provider.checkPath(args[field], rule);
  const translate = (err: unknown) => (provider.translate ? provider.translate(err) : err);
  try {
    const out = slice[method](args);
    return out instanceof Promise ? out.catch((err: unknown) => Promise.reject(translate(err))) : out;
  } catch (err) {
    throw translate(err);
  }
}

/** The contract in-process, with no wire: every call goes through `invoke` as it would over one. */
export function localHandlers(provider: Provider): Handlers {
  const slice = (service: string) =>
    new Proxy({}, { get: (_t, method) => (input: unknown) => invoke(provider, service, String(method), input) });
  return new Proxy({}, { get: (_t, service) => slice(String(service)) }) as Handlers;
}

export async function dispatch(
  provider: Provider,
  message: ClientMessage,
  log: LogLine = stderrLog,
): Promise<ServerMessage> {
  const { id, service, method } = message;
  try {
    const value = await invoke(provider, service, method, message.input);
    return { kind: 'result', id, ok: true, value: definition(service, method).output.parse(value) };
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
export async function answer(provider: Provider, raw: unknown, log: LogLine = stderrLog): Promise<MainMessage> {
  try {
    const envelope = CallEnvelope.safeParse(raw);
    if (envelope.success) return await dispatch(provider, envelope.data as ClientMessage, log);
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
  provider: Provider,
  hub: EventHub,
  transport: Transport<unknown, MainMessage>,
  log: LogLine = stderrLog,
): () => void {
  const send = (m: MainMessage) => sendSafely((x) => transport.send(x), m, log);
  const stopEvents = hub.subscribe(send);
  const stopCalls = transport.onMessage((message) => {
    answer(provider, message, log).then(send, (err) => log(`unanswered: ${String(err)}`));
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
