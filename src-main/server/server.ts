// The headless front door: the contract over a WebSocket on 127.0.0.1, the built renderer,
// and the project's images, all behind a random token. This is how the studio runs on a
// box without a display, and how the end-to-end tests drive the real UI. Limits and checks
// live beside it: guard.ts (Host, Origin, token, URLs), http.ts, socket.ts (frame limits,
// unread output).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import type { Studio } from '../services/studio';
import { parseRequestUrl, sameToken, type HostRule } from './guard';
import { handleHttp, refusal } from './http';
import { connectSocket, GuardedWebSocket, MAX_MESSAGE_BYTES } from './socket';

export interface ServerOptions {
  studio: Studio;
  rendererDir: string;
  port?: number;
  token?: string;
  /** Host names the browser may use besides 127.0.0.1, localhost and [::1]: "name" or "name:port". */
  allowedHosts?: string[];
  /** Where refusals, dropped clients and internal errors are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const rendererDir = resolve(opts.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      `The renderer is not built: ${join(rendererDir, 'index.html')} is missing. Run "npm run build:renderer" first.`,
    );
  }
  const log = opts.log ?? ((line: string) => console.error(`[server] ${line}`));
  const hosts: HostRule = { port: 0, allowedHosts: opts.allowedHosts ?? [] };
  const authorised = (url: URL) => sameToken(url.searchParams.get('token') ?? '', token);

  const http = createHttpServer((req, res) =>
    handleHttp(req, res, { studio: opts.studio, rendererDir, hosts, authorised, log }),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, WebSocket: GuardedWebSocket });
  let clients = 0;
  http.on('upgrade', (req, socket, head) => {
    // Node takes its own error listener off an upgraded socket: a reset here would end the process.
    socket.on('error', () => socket.destroy());
    const refused = refusal(req, hosts);
    const url = parseRequestUrl(req.url)?.url;
    if (refused || !url || url.pathname !== '/rpc' || !authorised(url)) {
      const status = refused?.status === 400 ? '400 Bad Request' : '403 Forbidden';
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused?.text ?? 'Missing or wrong token.'}`,
      );
      return;
    }
    const who = `#${++clients} (port ${(socket as Socket).remotePort})`;
    wss.handleUpgrade(req, socket, head, (ws) => connectSocket(ws, opts.studio, log, who));
  });

  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (http.address() as AddressInfo).port;
  hosts.port = port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    close: () => closeServer(http, wss),
  };
}

/** Ends every socket and connection at once (a window left open must not hold the port), then stops listening. */
export function closeServer(http: Server, wss: WebSocketServer): Promise<void> {
  return new Promise<void>((ok) => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    http.closeAllConnections();
    http.close(() => ok());
  });
}
