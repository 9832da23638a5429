// One browser's WebSocket: the contract over it, with limits both ways so that no frame
// and no client can take the server down. Nothing that arrives can throw out of here: ws
// reports bad frames (invalid UTF-8, a bad opcode, a message over the limit) as an 'error'
// event, which ends the process when nobody listens.
import WebSocket from 'ws';
import { NESTING_MAX, nestsDeeperThan, type MainMessage, type RefusedMessage } from '../../src-shared/rpc';
import { serve } from '../rpc/dispatcher';
import type { Studio } from '../services/studio';

/**
 * The largest legitimate call is an id list of 200,000 numbers (labels.assign, labels.setSplit):
 * at most 18 bytes each ("-9007199254740991,") is 3.6 MB, so 4 MiB refuses nothing real.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Replies waiting to be read past this: the client is not reading, and is dropped. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

const refusal = (message: string): string =>
  JSON.stringify({ kind: 'refused', error: { code: 'invalid-input', message } } satisfies RefusedMessage);

/**
 * ws closes with 1009 by itself when a message is over maxPayload, before it reports the error
 * (and then the socket is no longer open). Intercepting that close is the one moment the client
 * can still be told why, in the same {code, message} as any refused call.
 */
export class GuardedWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    if (code === 1009 && this.readyState === WebSocket.OPEN) {
      this.send(
        refusal(
          `A message is larger than the ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB limit; send fewer items per call.`,
        ),
      );
      super.close(1009, 'message too large');
      return;
    }
    super.close(code, reason);
  }
}

export function connectSocket(ws: WebSocket, studio: Studio, log: (line: string) => void, who: string): void {
  const listeners = new Set<(m: unknown) => void>();
  const send = (text: string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return drop();
    ws.send(text);
  };
  let dropped = false;
  const drop = () => {
    if (dropped) return;
    dropped = true;
    log(
      `client ${who} dropped: ${(ws.bufferedAmount / 1024 / 1024).toFixed(1)} MiB of replies unread (limit ${MAX_BUFFERED_BYTES / 1024 / 1024} MiB)`,
    );
    ws.terminate();
  };
  const end = serve(
    studio,
    studio.hub,
    {
      send: (m: MainMessage) => send(JSON.stringify(m)),
      onMessage: (l) => (listeners.add(l), () => listeners.delete(l)),
    },
    log,
  );
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? '' : String(data);
    if (nestsDeeperThan(text, NESTING_MAX))
      return send(refusal(`Not a call: the message nests deeper than ${NESTING_MAX} levels.`));
    const message = isBinary ? undefined : parseJson(text);
    if (message === undefined)
      return send(
        refusal('Not a call: send one JSON object {kind: "call", id, service, method, input} per text message.'),
      );
    for (const l of listeners) l(message);
  });
  // ws answers each ping with a pong by itself: a flood of them from a client that never reads is unread output too.
  ws.on('ping', () => {
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) drop();
  });
  ws.on('error', (err: Error & { code?: string }) => {
    log(`client ${who}: ${err.code ?? 'error'}: ${err.message}; connection closed`);
  });
  ws.on('close', end);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
