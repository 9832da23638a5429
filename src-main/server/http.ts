// The server's HTTP side: the built renderer, the project's images and the files the studio
// exported (downloads), behind the token.
// Every request passes the Host and Origin checks first; a malformed URL is a 400; an
// unexpected failure is a 500 that says only "internal error" and an id, the detail
// going to the server's log under the same id, never to the client.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';
import { reportInternal, type LogLine } from '../rpc/internal-error';
import type { Studio } from '../services/studio';
import { allowedHost, parseRequestUrl, sameOrigin, type HostRule } from './guard';
import { sendViewableImage } from './images';

export interface HttpContext {
  studio: Studio;
  rendererDir: string;
  hosts: HostRule;
  authorised: (url: URL) => boolean;
  log: (line: string) => void;
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
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
};

/** The checks an upgrade and a plain request share: a refusal's status and text, or null. */
export function refusal(req: IncomingMessage, hosts: HostRule): { status: 400 | 403; text: string } | null {
  if (!allowedHost(req.headers.host, hosts))
    return {
      status: 403,
      text: 'Forbidden: this server answers only to 127.0.0.1, localhost or a name given with --host-name.',
    };
  if (!sameOrigin(req)) return { status: 403, text: 'Forbidden: requests from another site are refused.' };
  if (!parseRequestUrl(req.url)) return { status: 400, text: 'Bad request: the address is malformed.' };
  return null;
}

export function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): void {
  answer(req, res, ctx).catch((err) => internalError(res, ctx.log, err));
}

/** The detail goes to the log; the client gets an id to quote when reporting it. */
export function internalError(res: ServerResponse, log: LogLine, err: unknown): void {
  const { message } = reportInternal(err, log);
  if (res.headersSent) return void res.destroy();
  send(res, 500, message);
}

async function answer(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  const refused = refusal(req, ctx.hosts);
  if (refused) return send(res, refused.status, refused.text);
  const { url, pathname } = parseRequestUrl(req.url)!;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Only GET is served here.');
  const media = /^\/(thumb|image)\/([0-9a-f]{64})$/.exec(pathname);
  if (media) {
    if (!ctx.authorised(url)) return send(res, 403, 'Missing or wrong token.');
    return sendViewableImage(res, ctx.studio.project, media[1], media[2]);
  }
  if (pathname === '/download') {
    if (!ctx.authorised(url)) return send(res, 403, 'Missing or wrong token.');
    return sendExported(res, ctx.studio, url.searchParams.get('path') ?? '');
  }
  return serveStatic(res, ctx.rendererDir, pathname);
}

function serveStatic(res: ServerResponse, root: string, pathname: string): void {
  const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile())
    return send(res, 404, 'Not found.');
  const type = MIME[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'cache-control': rel === 'index.html' ? 'no-cache' : 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * A file this studio exported, as an attachment: a browser's only way to a model or CSV
 * written on the server's disk. Anything else, whatever its path, is a 404.
 */
function sendExported(res: ServerResponse, studio: Studio, path: string): void {
  const file = studio.exported.servable(path);
  if (!file) return send(res, 404, 'Not found: only files this studio exported can be downloaded.');
  const name = basename(file);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': statSync(file).size,
    'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(text);
}
