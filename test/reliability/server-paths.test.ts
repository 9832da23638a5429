// Paths that RPC reads or writes lie in the open project, the model cache, or what the
// person chose this session; a choice is itself limited to the folders a browser may show.
// Probed over the WebSocket with the right token, as a page with the token (or a DNS
// rebinding that got past Host) would: every other path is refused with a message that
// names it and says what to do, and nothing is read or written there.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import { call, openWs, startTestServer, type TestServer } from './helpers/server';

let s: TestServer;
let ws: WebSocket;

before(async () => {
  s = await startTestServer();
  ws = await openWs(s.server.port, { token: s.server.token });
});
after(async () => {
  ws.close();
  await s.close();
});

async function refused(service: string, method: string, input: unknown, names: string): Promise<string> {
  const reply = await call(ws, service, method, input);
  assert.ok(reply.kind === 'result' && !reply.ok, `${service}.${method} ${JSON.stringify(input)} was answered`);
  assert.equal(reply.error.code, 'path-not-allowed', reply.error.message);
  assert.ok(reply.error.message.includes(names), `the message names ${names}: ${reply.error.message}`);
  return reply.error.message;
}

test('each call that takes a path refuses one nobody chose', async () => {
  const secret = join(s.dir, 'secret');
  mkdirSync(secret);
  writeFileSync(join(secret, 'labels.csv'), 'path,label\nSECRET-LINE,x\n');
  const message = await refused(
    'curation',
    'importCsv',
    { file: join(secret, 'labels.csv') },
    join(secret, 'labels.csv'),
  );
  assert.ok(!message.includes('SECRET-LINE'));
  assert.match(message, /Choose it with Browse/);
  await refused('curation', 'exportCsv', { file: join(secret, 'out.csv') }, join(secret, 'out.csv'));
  assert.equal(existsSync(join(secret, 'out.csv')), false, 'nothing written');
  await refused('imports', 'start', { folder: secret }, secret);
  await refused('runs', 'export', { runId: 1, outDir: join(secret, 'export') }, join(secret, 'export'));
  assert.equal(existsSync(join(secret, 'export')), false);
  await refused('backbones', 'import', { file: '/etc/passwd', id: 'mobilenet_0.25' }, '/etc/passwd');
  await refused('project', 'open', { path: join(secret, 'project'), create: true }, join(secret, 'project'));
  assert.equal(existsSync(join(secret, 'project')), false, 'no project made');
});

test('a symlink inside the project that leads out of it is outside', async () => {
  const outside = join(s.dir, 'elsewhere');
  mkdirSync(outside);
  symlinkSync(outside, join(s.studio.project!.dir, 'link'));
  await refused('curation', 'exportCsv', { file: join(s.studio.project!.dir, 'link', 'x.csv') }, 'link');
  assert.equal(existsSync(join(outside, 'x.csv')), false);
  // The project's own folder needs no choosing.
  const inside = await call(ws, 'curation', 'exportCsv', { file: join(s.studio.project!.dir, 'labels.csv') });
  assert.ok(inside.kind === 'result' && inside.ok, JSON.stringify(inside));
});

test('system folders cannot be chosen or browsed; a folder under a root can, and is then allowed', async () => {
  for (const path of ['/etc', '/etc/shadow', '/proc/self/environ', '/']) {
    const message = await refused('folders', 'pick', { path }, path);
    assert.match(message, /STUDIO_FOLDERS/);
  }
  await refused('folders', 'browse', { path: '/etc' }, '/etc');
  const data = join(s.dir, 'chosen');
  mkdirSync(data);
  await refused('curation', 'exportCsv', { file: join(data, 'labels.csv') }, data);
  const picked = await call(ws, 'folders', 'pick', { path: data });
  assert.ok(picked.kind === 'result' && picked.ok);
  const written = await call(ws, 'curation', 'exportCsv', { file: join(data, 'labels.csv') });
  assert.ok(written.kind === 'result' && written.ok, JSON.stringify(written));
  assert.equal(existsSync(join(data, 'labels.csv')), true);
  const listing = await call(ws, 'folders', 'browse', { path: s.dir, extensions: ['csv'] });
  assert.ok(listing.kind === 'result' && listing.ok);
  const names = (listing.value as { entries: { name: string }[] }).entries.map((e) => e.name);
  assert.ok(names.includes('chosen') && names.includes('project'), names.join(', '));
});

test("the native picker is the desktop door's alone: the server says so", async () => {
  const caps = await call(ws, 'folders', 'capabilities', {});
  assert.ok(caps.kind === 'result' && caps.ok);
  assert.deepEqual(caps.value, { nativePicker: false });
  const reply = await call(ws, 'folders', 'pickNative', { kind: 'folder' });
  assert.ok(
    reply.kind === 'result' && !reply.ok && reply.error.code === 'unsupported' && /Browse/.test(reply.error.message),
  );
});
