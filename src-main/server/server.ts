// The headless front door: the contract over a WebSocket on 127.0.0.1, the built renderer,
// and the project's images, all behind a random token. This is how the studio runs on a
// box without a display, and how the end-to-end tests drive the real UI.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from '../../src-shared/rpc';
import { serve } from '../rpc/dispatcher';
import type { Studio } from '../services/studio';
import { sendViewableImage } from './images';

export interface ServerOptions {
  studio: Studio;
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const rendererDir = resolve(opts.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built: ${join(rendererDir, 'index.html')} is missing. Run "npm run build:renderer" first.`);
  }
  const authorised = (url: URL) => sameToken(url.searchParams.get('token') ?? '', token);

  const http = createHttpServer((req, res) => {
    handleHttp(req, res, { studio: opts.studio, rendererDir, authorised }).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`Internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/rpc' || !authorised(url) || !sameOrigin(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, opts.studio));
  });

  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (http.address() as AddressInfo).port;
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

function connect(ws: WebSocket, studio: Studio): void {
  const listeners = new Set<(m: ClientMessage) => void>();
  const end = serve(studio.handlers(), studio.hub, {
    send: (m: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    },
    onMessage: (l) => (listeners.add(l), () => listeners.delete(l)),
  });
  ws.on('message', (data) => {
    let message: ClientMessage;
    try {
      message = JSON.parse(String(data));
    } catch {
      return; // Not JSON: nothing to answer, since there is no id to answer to.
    }
    for (const l of listeners) l(message);
  });
  ws.on('close', end);
}

interface HttpContext {
  studio: Studio;
  rendererDir: string;
  authorised: (url: URL) => boolean;
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method !== 'GET' && req.method !== 'HEAD') return void send(res, 405, 'Only GET is served here.');
  const media = /^\/(thumb|image)\/([0-9a-f]{64})$/.exec(url.pathname);
  if (media) {
    if (!ctx.authorised(url)) return void send(res, 403, 'Missing or wrong token.');
    const [, kind, hash] = media;
    const file = kind === 'thumb' ? ctx.studio.thumbFile(hash) : ctx.studio.originalFile(hash);
    if (!file) return void send(res, 404, 'No such image in the open project.');
    if (kind === 'thumb') return sendFile(res, file, 'public, max-age=31536000, immutable');
    return sendViewableImage(res, file);
  }
  return serveStatic(res, ctx.rendererDir, url.pathname);
}

function serveStatic(res: ServerResponse, root: string, pathname: string): void {
  const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return void send(res, 404, 'Not found.');
  sendFile(res, file, rel === 'index.html' ? 'no-cache' : 'public, max-age=3600');
}

function sendFile(res: ServerResponse, file: string, cacheControl: string): void {
  const type = MIME[extname(file)] ?? (file.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
  res.writeHead(200, { 'content-type': type, 'cache-control': cacheControl, 'x-content-type-options': 'nosniff' });
  createReadStream(file).pipe(res);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A page on another site must not reach the studio even if it learns the port. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // Not a browser: scripts and tests, which still need the token.
  try {
    const host = new URL(origin).host;
    return host === req.headers.host;
  } catch {
    return false;
  }
}
