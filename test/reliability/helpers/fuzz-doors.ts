// The doors the contract fuzzer knocks on, each one message at a time: the real server's
// WebSocket (JSON text, as a browser sends it) and the in-memory door (memoryTransports, as the
// CLI uses it). Each waits for the one reply a message gets, skipping events.
import WebSocket from 'ws';
import { memoryTransports, serve } from '../../../src-main/rpc/dispatcher';
import type { Studio } from '../../../src-main/services/studio';
import { NESTING_MAX, type MainMessage } from '../../../src-shared/rpc';
import { depthOf, materialise, render } from './fuzz-values';
import { openWs } from './server';

/** A reply; 'unsendable' when the door's own client end could not send the message at all. */
export type Exchange = { reply: unknown; textDepthRefused: boolean } | 'unsendable';

export interface FuzzDoor {
  name: string;
  exchange(message: unknown): Promise<Exchange>;
  close(): void;
}

const REPLY_TIMEOUT_MS = 15_000;

/** Replies in arrival order; `next` takes the oldest, waiting for one when none is there. */
class Replies {
  readonly #queue: unknown[] = [];
  #waiting: ((m: unknown) => void) | null = null;

  push(message: unknown): void {
    if ((message as MainMessage).kind === 'event') return;
    if (this.#waiting) {
      const wake = this.#waiting;
      this.#waiting = null;
      wake(message);
    } else this.#queue.push(message);
  }

  get pending(): number {
    return this.#queue.length;
  }

  next(what: () => string): Promise<unknown> {
    if (this.#queue.length) return Promise.resolve(this.#queue.shift());
    return new Promise((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no reply within ${REPLY_TIMEOUT_MS} ms to ${what()}`)),
        REPLY_TIMEOUT_MS,
      );
      this.#waiting = (m) => (clearTimeout(timer), ok(m));
    });
  }
}

const describe = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} characters)` : text);

export async function socketDoor(port: number, token: string): Promise<FuzzDoor> {
  const ws: WebSocket = await openWs(port, { token });
  const replies = new Replies();
  ws.on('message', (data) => replies.push(JSON.parse(String(data))));
  return {
    name: 'WebSocket',
    async exchange(message) {
      if (replies.pending) throw new Error(`a reply nobody asked for: ${JSON.stringify(await replies.next(() => ''))}`);
      const text = render(message);
      ws.send(text);
      return { reply: await replies.next(() => describe(text)), textDepthRefused: depthOf(message) > NESTING_MAX };
    },
    close: () => ws.close(),
  };
}

export function memoryDoor(studio: Studio, log: (line: string) => void): FuzzDoor {
  const { client, server } = memoryTransports();
  const stop = serve(studio, studio.hub, server, log);
  const replies = new Replies();
  const stopReplies = client.onMessage((m) => replies.push(m));
  return {
    name: 'in-memory',
    async exchange(message) {
      if (replies.pending) throw new Error(`a reply nobody asked for: ${JSON.stringify(await replies.next(() => ''))}`);
      try {
        client.send(materialise(message) as never);
      } catch {
        return 'unsendable';
      }
      return { reply: await replies.next(() => describe(render(message))), textDepthRefused: false };
    },
    close: () => (stopReplies(), stop()),
  };
}
