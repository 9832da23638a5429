// Links inside an import folder stay inside the folders a person may read (issue 19,
// item 6): a link in the chosen folder to a folder outside the allowed roots was followed,
// and 95 images were imported through it and served over /image/<hash>, while choosing the
// target itself was refused. Probed over the WebSocket: such links (to a folder or to one
// image) are import problems naming where they lead, nothing behind them is stored or served,
// and links that stay inside the chosen folder, or lead to another chosen folder, still work.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import { makeImage } from '../fixtures/images';
import { call, openWs, rawHttp, startTestServer, type TestServer } from './helpers/server';

let s: TestServer;
let ws: WebSocket;

before(async () => {
  s = await startTestServer({ images: 2 });
  ws = await openWs(s.server.port, { token: s.server.token });
});
after(async () => {
  ws.close();
  await s.close();
});

async function images(dir: string, first: number, n: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    files.push(join(dir, `img-${first + i}.jpg`));
    writeFileSync(files.at(-1)!, await makeImage(first + i, 'jpeg', 24, 16));
  }
  return files;
}

async function ok<T>(service: string, method: string, input: unknown): Promise<T> {
  const reply = await call(ws, service, method, input);
  assert.ok(reply.kind === 'result' && reply.ok, `${service}.${method}: ${JSON.stringify(reply)}`);
  return reply.value as T;
}

test('links that lead outside the chosen folders are problems; nothing behind them is stored or served', async () => {
  const secret = await images(join(s.dir, 'not-chosen'), 100, 3);
  const other = await images(join(s.dir, 'also-chosen'), 200, 2);
  const chosen = join(s.dir, 'chosen');
  await images(join(chosen, 'cat'), 300, 2);
  symlinkSync(join(s.dir, 'not-chosen'), join(chosen, 'escape'));
  symlinkSync(secret[0]!, join(chosen, 'cat', 'stolen.jpg'));
  symlinkSync(join(chosen, 'cat'), join(chosen, 'kitten'));
  symlinkSync(join(s.dir, 'also-chosen'), join(chosen, 'dog'));
  // The escape hatch: choosing the target itself is refused.
  const refused = await call(ws, 'folders', 'pick', { path: '/etc' });
  assert.ok(refused.kind === 'result' && !refused.ok && refused.error.code === 'path-not-allowed');
  await ok('folders', 'pick', { path: join(s.dir, 'also-chosen') });
  await ok('folders', 'pick', { path: chosen });
  symlinkSync('/etc', join(chosen, 'system'));

  const { importId } = await ok<{ importId: number }>('imports', 'start', { folder: chosen });
  await s.studio.idle();
  const problems = await ok<{ path: string; kind: string; reason: string }[]>('imports', 'problems', { importId });
  const outside = problems
    .filter((p) => p.kind === 'link-outside')
    .map((p) => p.path)
    .sort();
  assert.deepEqual(outside, [join(chosen, 'cat', 'stolen.jpg'), join(chosen, 'escape'), join(chosen, 'system')]);
  for (const p of problems.filter((p) => p.kind === 'link-outside'))
    assert.match(p.reason, /^Link leads outside the chosen folder: it points to \//);

  const page = await ok<{ items: { hash: string }[] }>('dataset', 'images', { filter: {}, offset: 0, limit: 100 });
  const stored = new Set(page.items.map((i) => i.hash));
  const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  // 2 from the server's own start, 2 cats (the kitten link is the same folder), 2 through the link to a chosen folder.
  assert.equal(stored.size, 6);
  for (const file of other) assert.ok(stored.has(sha(file)), `${file} came in through a link to a chosen folder`);
  for (const file of secret) {
    assert.ok(!stored.has(sha(file)), `${file} was imported`);
    assert.equal((await rawHttp(s.server.port, `/image/${sha(file)}?token=${s.server.token}`)).status, 404);
  }
});
