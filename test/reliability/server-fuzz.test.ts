// Frame fuzzing against a real server: 1,000 random, invalid, oversized and abandoned frames,
// then the server must still answer a real call and give its memory back; and a client that
// never reads its replies must be dropped, not buffered for without bound.
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, test } from 'node:test';
import type { Socket } from 'node:net';
import { MAX_BUFFERED_BYTES, MAX_MESSAGE_BYTES } from '../../src-main/server/socket';
import { call, closedWithin, frame, openWs, rawWs, startTestServer, type TestServer } from './helpers/server';
import { seededRandom } from '../../src-shared/random';

const TEXT = 0x1;
const BINARY = 0x2;
const PING = 0x9;

// The runner starts each file in its own process without --expose-gc: this turns it on here.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let s: TestServer;

before(async () => {
  s = await startTestServer({ images: 400 });
});

after(async () => {
  await s?.close();
});

// Seeded, so a failing run can be replayed exactly.
const random = seededRandom(13);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

/** Messages that are well-formed frames but wrong as calls: each should get a {code, message}, none a crash. */
const WRONG_CALLS = [
  '{"kind":"call","id":1,"service":"dataset"',
  '[]',
  'null',
  '"call"',
  '{"kind":"call","id":1e308,"service":"dataset","method":"classes","input":{}}',
  '{"kind":"call","id":-9007199254740993,"service":"project","method":"current"}',
  '{"kind":"call","id":"x","service":{},"method":[],"input":7}',
  '{"kind":"call","id":2,"service":"labels","method":"assign","input":{"imageIds":"all","classId":1}}',
  '{"kind":"call","id":3,"service":"__proto__","method":"constructor","input":{}}',
  '{"kind":"call","id":4,"service":"dataset","method":"images","input":{"limit":1e309}}',
  '{"kind":"call","id":5,"service":"project","method":"open","input":{"path":{"toString":1},"create":"yes"}}',
  '{"kind":"result","id":6,"ok":true,"value":null}',
];

async function withRaw(send: (socket: Socket) => void | Promise<void>, waitMs = 2000): Promise<void> {
  const socket = await rawWs(s.server.port, s.server.token);
  await send(socket);
  if (!(await closedWithin(socket, waitMs))) socket.destroy();
}

/** 300 wrong-but-valid frames on 10 connections, which the server keeps open. */
async function wrongCalls(): Promise<number> {
  for (let c = 0; c < 10; c++) {
    await withRaw((socket) => {
      for (let i = 0; i < 30; i++) {
        const kind = i % 3;
        if (kind === 0) socket.write(frame(BINARY, bytes(1 + Math.floor(random() * 200))));
        else if (kind === 1) socket.write(frame(TEXT, Buffer.from(pick(WRONG_CALLS))));
        else
          socket.write(
            frame(
              TEXT,
              Buffer.from(
                JSON.stringify({ kind: 'call', id: i, service: 'dataset', method: 'classes', input: {} }).slice(
                  0,
                  1 + Math.floor(random() * 40),
                ),
              ),
            ),
          );
      }
      socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
    }, 300);
  }
  return 300;
}

/** 100 frames each of which the protocol forbids: one connection each, since each ends its connection. */
async function killerFrames(): Promise<number> {
  const killers: (() => Buffer)[] = [
    () => frame(TEXT, Buffer.from([0xf0, 0x28, 0x8c, 0xbc])), // The 4-byte invalid UTF-8.
    () => frame(TEXT, bytes(8 + Math.floor(random() * 64))),
    () => frame(pick([0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]), bytes(8)),
    () => frame(TEXT, Buffer.from('{}'), { rsv: 1 + Math.floor(random() * 7) }),
    () => frame(TEXT, Buffer.from('{}'), { mask: false }),
    () => frame(PING, bytes(200)),
    () => frame(PING, bytes(4), { fin: false }),
    () => Buffer.concat([frame(TEXT, Buffer.from('{"a":'), { fin: false }), frame(TEXT, Buffer.from('1}'))]),
    () => bytes(64),
    () => frame(0x0, Buffer.from('continuation with nothing to continue')),
  ];
  for (let i = 0; i < 100; i++) await withRaw((socket) => void socket.write(killers[i % killers.length]()), 500);
  return 100;
}

/** 20 messages over the limit: declared 50 MB and abandoned, and fragmented until the total is over. */
async function oversized(): Promise<number> {
  for (let i = 0; i < 10; i++) {
    await withRaw(
      (socket) => void socket.write(frame(TEXT, bytes(1024), { declaredLength: 50 * 1024 * 1024 }).subarray(0, 2000)),
      500,
    );
  }
  const part = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < 10; i++) {
    await withRaw((socket) => {
      for (let k = 0; k < 5; k++) socket.write(frame(k === 0 ? TEXT : 0x0, part, { fin: false }));
    }, 2000);
  }
  return 20;
}

/** 30 connections that end in the middle of a frame, and 50 streams of plain noise. */
async function halfOpen(): Promise<number> {
  for (let i = 0; i < 30; i++) {
    const socket = await rawWs(s.server.port, s.server.token);
    socket.write(
      frame(TEXT, Buffer.from('{"kind":"call","id":1,"service":"project","method":"current","input":{}}')).subarray(
        0,
        10 + i,
      ),
    );
    socket.destroy();
  }
  for (let i = 0; i < 50; i++)
    await withRaw((socket) => void socket.write(bytes(16 + Math.floor(random() * 512))), 200);
  return 80;
}

/** 500 pings on 5 connections, two of which never read their pongs. */
async function pingFlood(): Promise<number> {
  for (let c = 0; c < 5; c++) {
    await withRaw((socket) => {
      if (c < 2) socket.pause();
      for (let i = 0; i < 100; i++) socket.write(frame(PING, bytes(125)));
      socket.end();
    }, 300);
  }
  return 500;
}

async function realCall(): Promise<void> {
  const ws = await openWs(s.server.port, { token: s.server.token });
  const reply = await call(ws, 'dataset', 'classes');
  assert.ok(reply.kind === 'result' && reply.ok, 'the server answers a real call');
  ws.close();
}

/** The server runs in this process: its memory is this process's, after a collection. */
function settled(): { rss: number; heap: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

test('1,000 random, invalid and oversized frames: the server stays up, answers, and gives its memory back', async (t) => {
  await realCall();
  const before = settled();
  let frames = 0;
  frames += await wrongCalls();
  frames += await killerFrames();
  frames += await oversized();
  frames += await halfOpen();
  frames += await pingFlood();
  assert.equal(frames, 1000);
  await realCall();
  await new Promise((ok) => setTimeout(ok, 200)); // Sockets closed by the server finish closing.
  const now = settled();
  t.diagnostic(
    `rss ${mb(before.rss)} -> ${mb(now.rss)}, heap + external ${mb(before.heap)} -> ${mb(now.heap)} (${frames} frames)`,
  );
  assert.ok(now.rss < before.rss * 1.2, `rss went from ${mb(before.rss)} to ${mb(now.rss)}`);
  assert.ok(now.heap < before.heap * 1.2, `heap + external went from ${mb(before.heap)} to ${mb(now.heap)}`);
  assert.ok(
    s.logs.some((l) => /WS_ERR_INVALID_UTF8/.test(l)),
    'invalid UTF-8 was reported in the log',
  );
});

test('a message over the limit is refused with {code, message} and a 1009 close', async () => {
  const ws = await openWs(s.server.port, { token: s.server.token });
  const replies: unknown[] = [];
  ws.on('message', (d) => replies.push(JSON.parse(String(d))));
  const closed = new Promise<number>((ok) => ws.once('close', (code) => ok(code)));
  ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
  assert.equal(await closed, 1009);
  assert.equal(replies.length, 1);
  const refused = replies[0] as { kind: string; error: { code: string; message: string } };
  assert.equal(refused.kind, 'refused');
  assert.equal(refused.error.code, 'invalid-input');
  assert.match(refused.error.message, /larger than the 4 MiB limit/);
  await realCall();
});

/** The next message on a socket that is not an event, parsed. */
function nextReply(
  ws: Awaited<ReturnType<typeof openWs>>,
): Promise<{ kind: string; id?: unknown; error?: { code: string; message: string } }> {
  return new Promise((ok) => {
    const onMessage = (data: unknown) => {
      const m = JSON.parse(String(data));
      if (m.kind === 'event') return;
      ws.off('message', onMessage);
      ok(m);
    };
    ws.on('message', onMessage);
  });
}

test("the issue's 10 KB message (an id nested 5,000 deep) is refused without an echo; the server answers on", async () => {
  const ws = await openWs(s.server.port, { token: s.server.token });
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  const refused = nextReply(ws);
  ws.send(`{"kind":"call","id":${deep},"service":"project","method":"current"}`);
  const reply = await refused;
  assert.equal(reply.kind, 'refused');
  assert.equal(reply.error?.code, 'invalid-input');
  assert.match(reply.error?.message ?? '', /nests deeper than 64 levels/);
  // Shallow enough to parse, still not an id a reply may echo.
  const shallow = nextReply(ws);
  ws.send(`{"kind":"call","id":${'['.repeat(40) + ']'.repeat(40)},"service":"project","method":"current"}`);
  assert.match(
    (await shallow).error?.message ?? '',
    /field "id": must be a number or a string of at most 64 characters/,
  );
  // 4 MiB of nesting cost JSON.parse about 7 s of the event loop; the text is refused before that.
  const started = Date.now();
  const huge = nextReply(ws);
  ws.send('['.repeat(2 * 1024 * 1024 - 1) + ']'.repeat(2 * 1024 * 1024 - 1));
  assert.equal((await huge).kind, 'refused');
  assert.ok(Date.now() - started < 2000, `refused after ${Date.now() - started} ms`);
  ws.close();
  await realCall();
});

test('the largest legitimate call (200,000 ids) fits under the limit', async () => {
  const ws = await openWs(s.server.port, { token: s.server.token });
  const ids = Array.from({ length: 200_000 }, (_, i) => 9_007_199_254_740_991 - i);
  const message = JSON.stringify({
    kind: 'call',
    id: 1,
    service: 'labels',
    method: 'setSplit',
    input: { imageIds: ids, split: null },
  });
  assert.ok(Buffer.byteLength(message) < MAX_MESSAGE_BYTES, `${Buffer.byteLength(message)} bytes`);
  const reply = await call(ws, 'labels', 'setSplit', { imageIds: ids, split: null });
  assert.equal(reply.kind, 'result'); // Answered (these ids are not images, so an error), not refused.
  ws.close();
});

test('a client that never reads its replies is dropped once its unread output passes the limit', async (t) => {
  const ws = await openWs(s.server.port, { token: s.server.token });
  const before = settled();
  ws.pause(); // Reads nothing from now on: every reply piles up on the server's side.
  const closed = new Promise<void>((ok) => ws.once('close', () => ok()));
  const reply = 26_000; // A page of 400 images, as the first test's setup makes.
  const calls = 4000;
  for (let id = 1; id <= calls; id++) {
    ws.send(
      JSON.stringify({
        kind: 'call',
        id,
        service: 'dataset',
        method: 'images',
        input: { filter: {}, offset: 0, limit: 400 },
      }),
    );
  }
  const dropped = await waitFor(() => s.logs.some((l) => /dropped: .* unread/.test(l)), 30_000);
  const peak = process.memoryUsage().rss;
  assert.ok(dropped, `the server never dropped the client (logs: ${s.logs.slice(-3).join(' | ')})`);
  ws.resume();
  await closed;
  const now = settled();
  t.diagnostic(
    `rss ${mb(before.rss)} -> ${mb(peak)} at the drop; heap + external ${mb(before.heap)} -> ${mb(now.heap)}; the replies asked for: ${mb(calls * reply)}`,
  );
  assert.equal(s.logs.filter((l) => /dropped/.test(l)).length, 1, 'one line says so');
  // Bounded by the limit and what was in flight, far below the replies asked for (the old server held them all).
  assert.ok(peak - before.rss < MAX_BUFFERED_BYTES * 6, `rss grew by ${mb(peak - before.rss)}`);
  assert.ok(now.heap - before.heap < MAX_BUFFERED_BYTES, `heap + external grew by ${mb(now.heap - before.heap)}`);
  await realCall();
});

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  return cond();
}
