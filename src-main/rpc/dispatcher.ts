// The main side of the contract: parses every input with the contract's schema, calls the
// handler, and turns any failure into {code, message}. Unknown members fail loudly; an
// unexpected failure reaches the client as an id, its detail only in the log.
import { contract, events, type EventName, type EventPayload, type Handlers, type MethodDef } from '../../src-shared/contract';
import { StudioError, toWireError } from '../../src-shared/errors';
import type { ClientMessage, ServerMessage, Transport } from '../../src-shared/rpc';
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

export async function dispatch(handlers: Handlers, message: ClientMessage, log: LogLine = stderrLog): Promise<ServerMessage> {
  const { id, service, method } = message;
  try {
    const services = contract as unknown as Record<string, Record<string, MethodDef>>;
    const def = Object.hasOwn(services, service) && Object.hasOwn(services[service], method) ? services[service][method] : undefined;
    if (!def) throw new StudioError('method-not-found', `Method not found: ${service}.${method}`);
    const parsed = def.input.safeParse(message.input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length ? issue.path.join('.') : '(input)';
      throw new StudioError('invalid-input', `${service}.${method}: field "${field}": ${issue.message}`);
    }
    const handler = (handlers as unknown as Record<string, Record<string, (i: unknown) => unknown>>)[service][method];
    const value = await handler(parsed.data);
    return { kind: 'result', id, ok: true, value: def.output.parse(value) };
  } catch (err) {
    return { kind: 'result', id, ok: false, error: toWireError(err, (e) => reportInternal(e, log).message) };
  }
}

/** Serves the contract over one connection; returns a function that ends it. */
export function serve(handlers: Handlers, hub: EventHub, transport: Transport<ClientMessage, ServerMessage>, log: LogLine = stderrLog): () => void {
  const stopEvents = hub.subscribe((m) => transport.send(m));
  const stopCalls = transport.onMessage(async (message) => {
    if (message?.kind !== 'call') return;
    transport.send(await dispatch(handlers, message, log));
  });
  return () => {
    stopEvents();
    stopCalls();
  };
}

/** Two connected in-memory ends, for tests and for in-process clients. */
export function memoryTransports(): {
  client: Transport<ServerMessage, ClientMessage>;
  server: Transport<ClientMessage, ServerMessage>;
} {
  const toServer = new Set<(m: ClientMessage) => void>();
  const toClient = new Set<(m: ServerMessage) => void>();
  // A JSON round trip keeps tests honest about what can cross a real wire.
  const wire = <T>(m: T): T => JSON.parse(JSON.stringify(m));
  return {
    client: {
      send: (m) => queueMicrotask(() => toServer.forEach((l) => l(wire(m)))),
      onMessage: (l) => (toClient.add(l), () => toClient.delete(l)),
    },
    server: {
      send: (m) => queueMicrotask(() => toClient.forEach((l) => l(wire(m)))),
      onMessage: (l) => (toServer.add(l), () => toServer.delete(l)),
    },
  };
}
