// A real Studio behind a real server on 127.0.0.1, and clients that speak below the niceties
// of fetch and ws: raw HTTP (any Host, any path), raw WebSocket frames (any opcode, any bytes).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../../src-main/server/server';
import { Studio } from '../../../src-main/services/studio';
import type { ServerMessage } from '../../../src-shared/rpc';
import { makeImage } from '../../fixtures/images';

export const RENDERER_DIR = join(import.meta.dirname, '../../../dist/renderer');

export interface TestServer {
  studio: Studio;
  server: RunningServer;
  dir: string;
  /** The folder imported at the start: one subfolder per class. */
  imagesDir: string;
  logs: string[];
  close(): Promise<void>;
}

/** A project of `images` small JPEGs in two classes, imported, behind a started server. */
export async function startTestServer(opts: { images?: number; allowedHosts?: string[] } = {}): Promise<TestServer> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('Build the renderer first: npx vite build');
  const dir = mkdtempSync(join(tmpdir(), 'studio-reliability-'));
  const imagesDir = join(dir, 'images');
  for (let i = 0; i < (opts.images ?? 4); i++) {
    const folder = join(imagesDir, i % 2 ? 'cat' : 'dog');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `img-${i}.jpg`), await makeImage(i, 'jpeg', 32, 24));
  }
  // Its recent projects too stay in the temp folder: a probe run by hand never touches the user's list.
  const studio = new Studio({ modelCacheDir: join(dir, 'models'), configDir: join(dir, 'config') });
  studio.open({ path: join(dir, 'project'), create: true });
  await studio.handlers().folders.pick({ path: imagesDir });
  await studio.handlers().imports.start({ folder: imagesDir });
  await studio.idle();
  const logs: string[] = [];
  const server = await startServer({
    studio,
    rendererDir: RENDERER_DIR,
    allowedHosts: opts.allowedHosts,
    log: (l) => logs.push(l),
  });
  return {
    studio,
    server,
    dir,
    imagesDir,
    logs,
    async close() {
      await server.close();
      await studio.idle();
      studio.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** One HTTP/1.1 request written byte for byte: the path is sent as given, the Host as given. */
export function rawHttp(port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const lines = [
    `GET ${path} HTTP/1.1`,
    ...Object.entries({ host: `127.0.0.1:${port}`, connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((ok, fail) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', fail);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const body = rest.join('\r\n\r\n');
      ok({ status, headers: head, body: /transfer-encoding: chunked/i.test(head) ? unchunk(body) : body });
    });
  });
}

function unchunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** A WebSocket through the ws client, with the headers a browser (or an attacker) would send. */
export function openWs(port: number, opts: { token: string; origin?: string; host?: string }): Promise<WebSocket> {
  const headers = opts.host ? { host: opts.host } : undefined;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${encodeURIComponent(opts.token)}`, {
    origin: opts.origin,
    headers,
    maxPayload: 64 * 1024 * 1024,
  });
  return new Promise((ok, fail) => {
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
  });
}

let nextId = 1;

/** One call over an open socket; resolves with its reply (ok or not). */
export function call(ws: WebSocket, service: string, method: string, input: unknown = {}): Promise<ServerMessage> {
  const id = nextId++;
  return new Promise((ok, fail) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.kind === 'result' && m.id === id) done(() => ok(m));
    };
    const onClose = () => done(() => fail(new Error('the socket closed before the reply')));
    const done = (then: () => void) => {
      ws.off('message', onMessage);
      ws.off('close', onClose);
      then();
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.send(JSON.stringify({ kind: 'call', id, service, method, input }));
  });
}

/** A client-to-server frame as RFC 6455 lays it out, masked as a client must, or bent as asked. */
export function frame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; rsv?: number; mask?: boolean; declaredLength?: number } = {},
): Buffer {
  const { fin = true, rsv = 0, mask = true } = opts;
  const length = opts.declaredLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const m = mask ? 0x80 : 0;
  if (length < 126) head.push(m | length);
  else if (length < 65536) head.push(m | 126, length >> 8, length & 255);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(m | 127, ...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A TCP socket that has completed the WebSocket handshake and writes frames by hand. */
export function rawWs(port: number, token: string): Promise<Socket> {
  return new Promise((ok, fail) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.write(
        [
          `GET /rpc?token=${encodeURIComponent(token)} HTTP/1.1`,
          `host: 127.0.0.1:${port}`,
          'upgrade: websocket',
          'connection: Upgrade',
          `sec-websocket-key: ${randomBytes(16).toString('base64')}`,
          'sec-websocket-version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.on('error', () => undefined); // The server may reset it: that is the point of most probes.
    socket.once('data', (d) =>
      d.toString('latin1').startsWith('HTTP/1.1 101')
        ? ok(socket)
        : fail(new Error(d.toString('latin1').split('\r\n')[0])),
    );
    socket.once('close', () => fail(new Error('closed during the handshake')));
  });
}

/** Resolves when the socket is closed by either end, or after `ms` (false then). */
export function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((ok) => {
    const timer = setTimeout(() => ok(false), ms);
    socket.once('close', () => (clearTimeout(timer), ok(true)));
  });
}
