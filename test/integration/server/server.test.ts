// The headless server: everything but the page itself sits behind the token; images are served
// only if they belong to the open project; the contract works over a real WebSocket.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../../src-main/server/server';
import { Studio } from '../../../src-main/services/studio';
import { createClient, type ClientMessage, type ServerMessage } from '../../../src-shared/rpc';

let dir: string;
let server: RunningServer;
let studio: Studio;
let hash: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-server-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
  const images = join(dir, 'images', 'cat');
  mkdirSync(images, { recursive: true });
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c84' } })
    .jpeg()
    .toFile(join(images, 'a.jpg'));
  await sharp({ create: { width: 40, height: 40, channels: 3, background: '#fff' } })
    .tiff()
    .toFile(join(images, 'b.tiff'));

  studio = new Studio();
  studio.open({ path: join(dir, 'project'), create: true });
  server = await startServer({ studio, rendererDir: renderer });
  await studio.handlers().folders.pick({ path: join(dir, 'images') });
  await studio.handlers().imports.start({ folder: join(dir, 'images') });
  await studio.idle();
  const page = await studio.handlers().dataset.images({ filter: {}, offset: 0, limit: 10 });
  assert.equal(page.total, 2);
  hash = page.items[0].hash;
});

after(async () => {
  await server.close();
  studio.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${server.port}`;

test('the page is served, nothing outside the renderer folder is', async () => {
  assert.equal((await fetch(`${base()}/`)).status, 200);
  assert.equal((await fetch(`${base()}/..%2fsecret.txt`)).status, 404);
  assert.equal((await fetch(`${base()}/../secret.txt`)).status, 404);
});

test('thumbnails and images need the token and a hash of this project', async () => {
  assert.equal((await fetch(`${base()}/thumb/${hash}`)).status, 403);
  assert.equal((await fetch(`${base()}/thumb/${hash}?token=wrong`)).status, 403);
  const thumb = await fetch(`${base()}/thumb/${hash}?token=${server.token}`);
  assert.equal(thumb.status, 200);
  const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
  assert.ok(meta.width! > 0);
  const foreign = 'f'.repeat(64);
  assert.equal((await fetch(`${base()}/thumb/${foreign}?token=${server.token}`)).status, 404);
});

test('full images are converted to something a browser shows, TIFF included', async () => {
  const page = await studio.handlers().dataset.images({ filter: {}, offset: 0, limit: 10 });
  for (const item of page.items) {
    const res = await fetch(`${base()}/image/${item.hash}?token=${server.token}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/webp');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [item.width, item.height]);
  }
});

function connect(token: string, origin?: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${token}`, origin ? { origin } : {});
  return new Promise((ok, fail) => {
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
  });
}

test('the WebSocket refuses a wrong token and a foreign origin', async () => {
  await assert.rejects(connect('nope'), /403/);
  await assert.rejects(connect(server.token, 'http://evil.example'), /403/);
});

test('the contract works over the WebSocket', async () => {
  const ws = await connect(server.token, base());
  const client = createClient({
    send: (m: ClientMessage) => ws.send(JSON.stringify(m)),
    onMessage: (l: (m: ServerMessage) => void) => {
      const h = (d: WebSocket.RawData) => l(JSON.parse(String(d)));
      ws.on('message', h);
      return () => ws.off('message', h);
    },
  });
  const info = await client.api.project.current();
  assert.equal(info?.images, 2);
  const classes = await client.api.dataset.classes();
  assert.deepEqual(
    classes.map((c) => [c.name, c.count]),
    [['cat', 2]],
  );
  await assert.rejects(client.api.dataset.image({ id: 999_999 }), { code: 'not-found' });
  client.dispose();
  ws.close();
});

test('an exported file downloads with the token; nothing else does, however it is spelled', async () => {
  const out = join(dir, 'out');
  mkdirSync(out);
  await studio.handlers().folders.pick({ path: out });
  const file = join(out, 'labels.csv');
  await studio.handlers().curation.exportCsv({ file });
  const url = (path: string, token = server.token) =>
    `${base()}/download?token=${token}&path=${encodeURIComponent(path)}`;
  assert.equal((await fetch(url(file, 'wrong'))).status, 403);
  const res = await fetch(url(file));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="labels\.csv"/);
  assert.equal(await res.text(), readFileSync(file, 'utf8'));
  for (const refused of [
    join(dir, 'secret.txt'),
    `${out}/../secret.txt`,
    join(dir, 'project', 'studio.db'),
    'out/labels.csv',
    out,
    '',
  ])
    assert.equal((await fetch(url(refused))).status, 404, refused);
  assert.equal((await fetch(`${base()}/download?token=${server.token}&path=..%2f..%2fsecret.txt`)).status, 404);
  // A link swapped in for the exported file later leads nowhere.
  rmSync(file);
  symlinkSync(join(dir, 'secret.txt'), file);
  assert.equal((await fetch(url(file))).status, 404);
});
