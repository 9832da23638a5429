// The server as an attacker meets it: no token, a wrong one, a rebinding Host, a foreign
// Origin, traversal, malformed URLs, a file swapped after import, an internal failure, and a
// CSV import aimed at a secret file. Each is refused as the README's table says, and no
// refusal carries a file's content or an internal message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { serveArgv } from '../fixtures/children';
import { after, before, test } from 'node:test';
import { viewableImage } from '../../src-main/services/media/viewable';
import { thumbPath } from '../../src-main/services/project/thumbs';
import { call, openWs, rawHttp, RENDERER_DIR, startTestServer, type TestServer } from './helpers/server';

let s: TestServer;
let hash: string;
let port: number;

before(async () => {
  s = await startTestServer({ images: 4, allowedHosts: ['studio.lan', 'localhost:8080'] });
  port = s.server.port;
  const page = await s.studio.handlers().dataset.images({ filter: {}, offset: 0, limit: 10 });
  hash = page.items[0].hash;
});

after(async () => {
  await s?.close();
});

const thumb = (token = s.server.token) => `/thumb/${hash}?token=${encodeURIComponent(token)}`;

test('no token or a wrong one: images and the WebSocket are refused', async () => {
  assert.equal((await rawHttp(port, `/thumb/${hash}`)).status, 403);
  assert.equal((await rawHttp(port, thumb('wrong'))).status, 403);
  assert.equal((await rawHttp(port, thumb(s.server.token.slice(1)))).status, 403);
  assert.equal((await rawHttp(port, thumb())).status, 200);
  await assert.rejects(openWs(port, { token: '' }), /HTTP 403/);
  await assert.rejects(openWs(port, { token: 'wrong' }), /HTTP 403/);
});

test('Host: only 127.0.0.1, localhost, [::1] and the configured names, at the right port', async () => {
  for (const host of [
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `LOCALHOST:${port}`,
    `[::1]:${port}`,
    `studio.lan:${port}`,
    'localhost:8080',
  ]) {
    assert.equal((await rawHttp(port, thumb(), { host })).status, 200, host);
  }
  for (const host of [
    'evil.example',
    `evil.example:${port}`,
    `127.0.0.1:${port + 1}`,
    '127.0.0.1',
    `studio.lan:${port + 1}`,
    `127.0.0.1.evil.example:${port}`,
  ]) {
    const res = await rawHttp(port, thumb(), { host });
    assert.equal(res.status, 403, host);
    assert.match(res.body, /answers only to 127\.0\.0\.1, localhost/);
    assert.equal((await rawHttp(port, '/', { host })).status, 403, `the page too, for ${host}`);
  }
  await assert.rejects(openWs(port, { token: s.server.token, host: `evil.example:${port}` }), /HTTP 403/);
  const ws = await openWs(port, { token: s.server.token, host: `localhost:${port}` });
  ws.close();
});

test('studio serve --host-name adds a name (here with a forwarded port) and nothing else', async () => {
  const cli = spawn(process.execPath, serveArgv('--renderer', RENDERER_DIR, '--host-name', 'gpu-box.lan:9999'), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: cli.stdout! }), 'line')) as [string];
    const served = Number(/127\.0\.0\.1:(\d+)\//.exec(line)?.[1]);
    assert.ok(served > 0, line);
    assert.equal((await rawHttp(served, '/', { host: 'gpu-box.lan:9999' })).status, 200);
    assert.equal((await rawHttp(served, '/', { host: `gpu-box.lan:${served}` })).status, 403);
    assert.equal((await rawHttp(served, '/', { host: 'other.lan:9999' })).status, 403);
  } finally {
    cli.kill('SIGTERM');
    await once(cli, 'exit');
  }
});

test('Origin, when sent, must be the server itself', async () => {
  assert.equal((await rawHttp(port, thumb(), { origin: `http://127.0.0.1:${port}` })).status, 200);
  for (const origin of [
    'http://evil.example',
    `http://evil.example:${port}`,
    'null',
    `https://127.0.0.1:${port}`,
    `http://localhost:${port}`,
  ]) {
    assert.equal((await rawHttp(port, thumb(), { origin })).status, 403, origin);
    await assert.rejects(openWs(port, { token: s.server.token, origin }), /HTTP 403/, origin);
  }
  const ws = await openWs(port, { token: s.server.token, origin: `http://127.0.0.1:${port}` });
  ws.close();
});

test('traversal, plain or encoded, reaches nothing outside the renderer folder', async () => {
  const paths = [
    '/../package.json',
    '/..%2f..%2fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/assets/..%2f..%2f..%2fpackage.json',
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
    '/....//....//etc/passwd',
    `/thumb/../../../etc/passwd?token=${s.server.token}`,
  ];
  for (const path of paths) {
    const res = await rawHttp(port, path);
    assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    assert.doesNotMatch(res.body, /"devDependencies"|root:x:0/, path);
  }
});

test('malformed URLs answer 400, never 500', async () => {
  for (const path of [
    '/%ZZ',
    '/%',
    '/assets/%E0%A4%A',
    '/%00',
    `/thumb/${hash}%ZZ?token=${s.server.token}`,
    '*',
    'http://evil.example/',
  ]) {
    const res = await rawHttp(port, path);
    assert.equal(res.status, 400, path);
    assert.equal(res.body, 'Bad request: the address is malformed.');
  }
  await assert.rejects(openWs(port, { token: `${s.server.token}%ZZ` }), /HTTP 403/);
});

test('a file swapped after import for an SVG of the same name is not served, by either door', async () => {
  const page = await s.studio.handlers().dataset.images({ filter: {}, offset: 0, limit: 10 });
  const [intact, victim] = page.items;
  const viaServer = await rawHttp(port, `/image/${intact.hash}?token=${s.server.token}`);
  assert.equal(viaServer.status, 200);
  assert.match(viaServer.headers, /content-type: image\/webp/i);
  const viaElectron = await viewableImage(s.studio.project, 'image', intact.hash);
  assert.ok(viaElectron.ok && viaElectron.type === 'image/webp');

  const detail = await s.studio.handlers().dataset.image({ id: victim.id });
  const file = detail.paths[0];
  writeFileSync(file, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
  const res = await rawHttp(port, `/image/${victim.hash}?token=${s.server.token}`);
  assert.equal(res.status, 409);
  assert.equal(res.body, 'The file changed since import; import its folder again to see it.');
  assert.doesNotMatch(res.headers, /svg/i);
  assert.doesNotMatch(res.body, /<svg|alert/);
  const electron = await viewableImage(s.studio.project, 'image', victim.hash);
  assert.deepEqual(electron, {
    ok: false,
    status: 409,
    message: 'The file changed since import; import its folder again to see it.',
  });

  // A thumbnail replaced by anything but a JPEG is not passed on either.
  writeFileSync(thumbPath(s.studio.project!, victim.hash)!, '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const t = await rawHttp(port, `/thumb/${victim.hash}?token=${s.server.token}`);
  assert.equal(t.status, 409);
  assert.doesNotMatch(t.body, /<svg/);
});

test('both doors send the same bytes for an image', async () => {
  const page = await s.studio.handlers().dataset.images({ filter: {}, offset: 0, limit: 10 });
  const item = page.items.at(-1)!;
  const res = await fetch(`http://127.0.0.1:${port}/image/${item.hash}?token=${s.server.token}`);
  const served = Buffer.from(await res.arrayBuffer());
  const electron = await viewableImage(s.studio.project, 'image', item.hash);
  assert.ok(electron.ok);
  assert.ok(served.equals(electron.body));
});

test('a CSV import never echoes the file it read', async () => {
  const secret = 'root:$6$SECRET-HASH-d41d8cd98f00b204:19000:0:99999:7:::';
  const file = join(s.dir, 'shadow');
  writeFileSync(file, `${secret}\ndaemon:*:19000:0:99999:7:::\n`);
  const ws = await openWs(port, { token: s.server.token });
  // Chosen first, so that it is the CSV reader's error that must not quote it (server-paths.test.ts refuses it unchosen).
  await call(ws, 'folders', 'pick', { path: file });
  const reply = await call(ws, 'curation', 'importCsv', { file });
  ws.close();
  assert.ok(reply.kind === 'result' && !reply.ok, 'the import is refused');
  assert.ok(!reply.error.message.includes('SECRET-HASH'), `the message quotes the file: ${reply.error.message}`);
  assert.ok(!reply.error.message.includes('daemon'), `the message quotes the file: ${reply.error.message}`);
  assert.ok(reply.error.message.includes(file), 'the message names the file');
});

/** What a client reads of an unexpected failure, through either door. */
const INTERNAL =
  /^Internal error \(id ([0-9a-f]{8})\)\. The details are in the studio's log under this id; quote it when you report the problem\.$/;

test('an internal failure is a 500 that says "internal error" and an id; the detail is only in the log', async () => {
  // The project getter fails as a broken database would, naming a path the client must not see.
  Object.defineProperty(s.studio, 'project', {
    configurable: true,
    get: () => {
      throw new Error('The database connection is not open: /home/someone/secret-project/studio.db');
    },
  });
  const res = await rawHttp(port, thumb());
  delete (s.studio as { project?: unknown }).project;
  assert.equal(res.status, 500);
  const id = INTERNAL.exec(res.body)?.[1];
  assert.ok(id, `body: ${res.body}`);
  assert.doesNotMatch(res.body, /database|secret|at .*\.ts/i);
  const logged = s.logs.find((l) => l.includes(id));
  assert.ok(logged && /database connection is not open/.test(logged), `log: ${logged}`);
  assert.equal((await rawHttp(port, thumb())).status, 200, 'the server goes on serving');
});

test('an internal failure over RPC is {code: internal} with an id; the detail is only in the log', async () => {
  // A service fails the way a library would: a plain Error whose message names a private path.
  const slice = s.studio.slice.bind(s.studio);
  const failing = {
    classes: () => {
      throw new Error("EACCES: permission denied, open '/home/someone/secret-project/notes.txt'");
    },
  };
  s.studio.slice = ((name: string) =>
    name === 'dataset'
      ? Object.assign(Object.create(slice('dataset')) as object, failing)
      : slice(name as never)) as typeof s.studio.slice;
  after(() => delete (s.studio as { slice?: unknown }).slice);
  const ws = await openWs(port, { token: s.server.token });
  const reply = await call(ws, 'dataset', 'classes');
  assert.ok(reply.kind === 'result' && !reply.ok, 'the call fails');
  assert.equal(reply.error.code, 'internal');
  const id = INTERNAL.exec(reply.error.message)?.[1];
  assert.ok(id, `message: ${reply.error.message}`);
  const logged = s.logs.find((l) => l.includes(`internal error ${id}`));
  assert.ok(
    logged && logged.includes('/home/someone/secret-project/notes.txt') && /\n\s+at /.test(logged),
    `the log has the detail and its stack: ${logged}`,
  );
  // A refusal written for the user still crosses in its own words.
  const refused = await call(ws, 'dataset', 'image', { id: 999_999 });
  assert.ok(
    refused.kind === 'result' &&
      !refused.ok &&
      refused.error.code === 'not-found' &&
      /999999/.test(refused.error.message),
    JSON.stringify(refused),
  );
  ws.close();
});
