// No export, CSV or predict output may land on a project's own files (issue 19, item 2): the
// issue's `curation.exportCsv {file: "<project>/studio.db"}` turned a 172 KB database into
// a 4 KB CSV. Probed over the WebSocket and through the CLI as a child process: each is
// refused with `path-not-allowed` naming the file and why, and the database is untouched.
// A file written where it is allowed goes through a temporary file and a rename, so a hard
// link to another file is replaced, never written through.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import { call, openWs, startTestServer, type TestServer } from './helpers/server';
import { n, peek, STACK, studioRun } from './helpers/store';

let s: TestServer;
let ws: WebSocket;
let project: string;

before(async () => {
  s = await startTestServer({ images: 6 });
  ws = await openWs(s.server.port, { token: s.server.token });
  project = s.studio.project!.dir;
});
after(async () => {
  ws.close();
  await s.close();
});

async function refused(service: string, method: string, input: unknown, pattern: RegExp): Promise<void> {
  const reply = await call(ws, service, method, input);
  assert.ok(reply.kind === 'result' && !reply.ok, `${service}.${method} ${JSON.stringify(input)} was answered`);
  assert.equal(reply.error.code, 'path-not-allowed', reply.error.message);
  assert.match(reply.error.message, pattern);
}

const dbBytes = () => readFileSync(join(project, 'studio.db'));

test("exports onto the project's database, its log, lock, thumbnails, cache or runs are refused and change nothing", async () => {
  const before = dbBytes();
  await refused(
    'curation',
    'exportCsv',
    { file: join(project, 'studio.db') },
    /studio\.db is the project's own database .*Choose a file outside studio\.db/,
  );
  for (const [file, what] of [
    ['studio.db-wal', /write-ahead log/],
    ['studio.db-shm', /shared-memory/],
    ['studio.owner', /lock file/],
    ['thumbs/ab/x.csv', /thumbnails folder/],
    ['cache/x.csv', /feature cache/],
    ['runs/1/labels.csv', /runs folder/],
    ['STUDIO.DB', /own database/],
  ] as const) {
    await refused('curation', 'exportCsv', { file: join(project, file) }, what);
  }
  await refused('runs', 'export', { runId: 1, outDir: join(project, 'thumbs') }, /thumbnails folder/);
  await refused('project', 'open', { path: join(project, 'runs', 'nested'), create: true }, /runs folder/);
  assert.deepEqual(dbBytes(), before, 'studio.db is byte for byte what it was');
  const images = await call(ws, 'dataset', 'stats', {});
  assert.ok(images.kind === 'result' && images.ok, 'the project still answers');
  // The rest of the project folder stays the user's to write in.
  const inside = await call(ws, 'curation', 'exportCsv', { file: join(project, 'labels.csv') });
  assert.ok(inside.kind === 'result' && inside.ok, JSON.stringify(inside));
});

test('a link in a chosen folder that leads to studio.db is refused as the database it is', async () => {
  const chosen = join(s.dir, 'chosen');
  mkdirSync(chosen);
  symlinkSync(join(project, 'studio.db'), join(chosen, 'innocent.csv'));
  assert.ok((await call(ws, 'folders', 'pick', { path: chosen })).kind === 'result');
  const before = dbBytes();
  await refused(
    'curation',
    'exportCsv',
    { file: join(chosen, 'innocent.csv') },
    /innocent\.csv is the project's own database/,
  );
  assert.deepEqual(dbBytes(), before);
});

test('an export replaces the file it names through a rename: a hard link to another file is not written through', async () => {
  const chosen = join(s.dir, 'linked');
  mkdirSync(chosen);
  writeFileSync(join(chosen, 'keep.txt'), 'precious\n');
  linkSync(join(chosen, 'keep.txt'), join(chosen, 'out.csv'));
  assert.ok((await call(ws, 'folders', 'pick', { path: chosen })).kind === 'result');
  const out = await call(ws, 'curation', 'exportCsv', { file: join(chosen, 'out.csv') });
  assert.ok(out.kind === 'result' && out.ok, JSON.stringify(out));
  assert.equal(readFileSync(join(chosen, 'keep.txt'), 'utf8'), 'precious\n');
  assert.match(readFileSync(join(chosen, 'out.csv'), 'utf8'), /^path,label,split,group\n/);
  assert.equal(statSync(join(chosen, 'out.csv')).nlink, 1);
});

test('the CLI refuses the same: `labels export P P/studio.db` and `predict --out P/studio.db` exit 1 without a stack', async () => {
  await s.studio.idle();
  const labels = await studioRun('labels', 'export', project, join(project, 'studio.db'));
  assert.equal(labels.code, 1, labels.stdout + labels.stderr);
  assert.match(labels.stderr, /studio\.db is the project's own database/);
  assert.doesNotMatch(labels.stderr, STACK);
  const predict = await studioRun('predict', s.dir, s.imagesDir, '--out', join(project, 'studio.db-wal'));
  assert.equal(predict.code, 1, predict.stdout + predict.stderr);
  assert.match(predict.stderr, /--out .*studio\.db-wal is the project's write-ahead log/);
  assert.doesNotMatch(predict.stderr, STACK);
  // The open studio's connection may checkpoint its log into studio.db at any time, so its bytes can move: its content cannot.
  assert.equal(
    peek(project, (db) => n(db, 'SELECT count(*) AS n FROM images')),
    6,
  );
  assert.equal(
    peek(project, (db) => db.pragma('integrity_check', { simple: true })),
    'ok',
  );
});
