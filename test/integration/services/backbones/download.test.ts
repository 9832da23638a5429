import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KerasWeights } from '../../../../src-node-shared/backbones/arch/types';
import { downloadWeights, WeightsDownloadError } from '../../../../src-main/services/backbones/download';
import type { WeightsProgress } from '../../../../src-main/services/backbones/download';
import { isPresent, readCachedWeights } from '../../../../src-node-shared/backbones/model-cache';

const FILE = 'mobilenet_2_5_224_tf_no_top.h5';
const MD5 = 'f313cee49f5d33dfb06f2b255c4adb64';
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = ['test/fixtures/keras', '../shared/fixtures/keras']
  .map((d) => join(repo, d, FILE))
  .find((p) => existsSync(p));
const data = readFileSync(fixture ?? join(repo, 'test/fixtures/keras', FILE));
const CHUNK = 64 * 1024;

/** How the server answers: whole-file chunks at a pace, cut off half-way, or Range ignored. */
type Behaviour = { kind: 'serve'; delayMs: number } | { kind: 'cut' } | { kind: 'ignore-range' };
let behaviour: Behaviour = { kind: 'serve', delayMs: 2 };
let requests: Array<{ url: string; range?: string; status: number }> = [];
let server: Server;
let base = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(res: ServerResponse, body: Buffer, delayMs: number, cutAt = Infinity): Promise<void> {
  for (let at = 0; at < body.length && !res.destroyed; at += CHUNK) {
    if (at >= cutAt) {
      // Everything written so far reaches the client; then the connection drops mid-body.
      await new Promise<void>((r) => res.write('', () => r()));
      res.socket?.destroy();
      return;
    }
    res.write(body.subarray(at, Math.min(at + CHUNK, body.length)));
    if (delayMs) await sleep(delayMs);
  }
  res.end();
}

function handle(url: string, range: string | undefined, res: ServerResponse): void {
  const seen = { url, range, status: 404 };
  requests.push(seen);
  if (!url.startsWith('/keras/')) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  const m = /^bytes=(\d+)-$/.exec(range ?? '');
  const start = m && behaviour.kind !== 'ignore-range' ? Number(m[1]) : 0;
  const body = data.subarray(start);
  seen.status = start > 0 ? 206 : 200;
  const headers: Record<string, string | number> = {
    'content-length': body.length,
    'content-type': 'application/octet-stream',
  };
  if (start > 0) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
  res.writeHead(seen.status, headers);
  void send(
    res,
    body,
    behaviour.kind === 'serve' ? behaviour.delayMs : 0,
    behaviour.kind === 'cut' ? data.length / 2 : Infinity,
  );
}

before(async () => {
  assert.ok(fixture, `the Keras fixture ${FILE} is missing from test/fixtures/keras and ../shared/fixtures/keras`);
  server = createServer((req, res) => handle(req.url ?? '', req.headers.range, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function setup(b: Behaviour = { kind: 'serve', delayMs: 2 }): { dir: string; w: KerasWeights } {
  behaviour = b;
  requests = [];
  return {
    dir: mkdtempSync(join(tmpdir(), 'fs-download-')),
    w: { file: FILE, url: `${base}/keras/${FILE}`, fileHash: MD5 },
  };
}

const md5 = (buf: Buffer) => createHash('md5').update(buf).digest('hex');
const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
const part = (dir: string) => join(dir, `${FILE}.part`);

function assertComplete(dir: string, w: KerasWeights, path: string): void {
  assert.equal(path, join(dir, FILE));
  assert.equal(md5(readFileSync(path)), MD5);
  assert.equal(existsSync(part(dir)), false, 'no .part after success');
  const side = readCachedWeights(dir, FILE);
  assert.ok(side, 'sidecar present');
  assert.equal(side.source, 'download');
  assert.equal(side.url, w.url);
  assert.equal(side.bytes, data.length);
  assert.equal(side.md5, MD5);
  assert.equal(side.sha256, sha256(data));
}

test('downloads to the cache with progress, hashes and a sidecar', { timeout: 20_000 }, async () => {
  const { dir, w } = setup({ kind: 'serve', delayMs: 10 });
  const events: WeightsProgress[] = [];
  const started = Date.now();
  const path = await downloadWeights(w, dir, { onProgress: (p) => events.push(p) });
  const elapsed = Date.now() - started;

  assertComplete(dir, w, path);
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.range, undefined);
  assert.ok(events.length >= 2, `several progress events (${events.length})`);
  // At most ~10 a second, plus the first and the final one.
  assert.ok(events.length <= Math.ceil(elapsed / 100) + 2, `${events.length} events in ${elapsed} ms`);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.bytes >= events[i - 1]!.bytes, 'bytes never go back');
  for (const e of events) {
    assert.equal(e.total, data.length);
    assert.equal(e.file, FILE);
    assert.equal(e.url, w.url);
  }
  const last = events.at(-1)!;
  assert.equal(last.bytes, data.length);
  assert.ok(last.bytesPerSecond > 0);
  assert.equal(last.etaSeconds, 0);
  assert.ok(
    events.some((e) => e.bytes < data.length && e.etaSeconds !== null && e.etaSeconds > 0),
    'an ETA while under way',
  );
});

test('a 64-hex file_hash is checked as sha256', { timeout: 20_000 }, async () => {
  const { dir, w } = setup();
  assertComplete(dir, w, await downloadWeights({ ...w, fileHash: sha256(data).toUpperCase() }, dir));
});

test(
  'a checksum mismatch deletes the part, keeps nothing final and names both hashes',
  { timeout: 20_000 },
  async () => {
    const { dir, w } = setup();
    const wrong = '0'.repeat(64);
    await assert.rejects(downloadWeights({ ...w, fileHash: wrong }, dir, { archId: 'mobilenet_025' }), (err: Error) => {
      assert.ok(err instanceof WeightsDownloadError && err.kind === 'hash');
      for (const s of [
        FILE,
        w.url,
        wrong,
        sha256(data),
        'Try again',
        'studio backbones import',
        '--arch mobilenet_025',
      ]) {
        assert.ok(err.message.includes(s), `message names ${s}: ${err.message}`);
      }
      return true;
    });
    assert.deepEqual(readdirSync(dir), []);
  },
);

test('a response cut short keeps the part, and the next call resumes it with Range', { timeout: 20_000 }, async () => {
  const { dir, w } = setup({ kind: 'cut' });
  await assert.rejects(downloadWeights(w, dir), (err: Error) => {
    assert.ok(err instanceof WeightsDownloadError && err.kind === 'interrupted', String(err));
    assert.match(err.message, /interrupted after \d+ of 2108140 bytes/);
    assert.ok(err.message.includes(w.url));
    return true;
  });
  const kept = statSync(part(dir)).size;
  assert.ok(kept > 0 && kept < data.length, `part holds ${kept} bytes`);
  assert.equal(isPresent(dir, FILE), false);
  assert.equal(existsSync(join(dir, FILE)), false);

  behaviour = { kind: 'serve', delayMs: 0 };
  requests = [];
  const events: WeightsProgress[] = [];
  assertComplete(dir, w, await downloadWeights(w, dir, { onProgress: (p) => events.push(p) }));
  assert.deepEqual(requests, [{ url: `/keras/${FILE}`, range: `bytes=${kept}-`, status: 206 }]);
  assert.ok(events[0]!.bytes > kept, 'progress counts the resumed part');
  assert.equal(events.at(-1)!.total, data.length);
});

test('a server that ignores Range (200) makes the download start over', { timeout: 20_000 }, async () => {
  const { dir, w } = setup({ kind: 'ignore-range' });
  // Bytes that are no prefix of the file: appending to them would fail the md5 check.
  writeFileSync(part(dir), Buffer.alloc(1000, 7));
  assertComplete(dir, w, await downloadWeights(w, dir));
  assert.deepEqual(requests, [{ url: `/keras/${FILE}`, range: 'bytes=1000-', status: 200 }]);
});

test('HTTP 404 names the status and the URL and leaves nothing', { timeout: 20_000 }, async () => {
  const { dir } = setup();
  const w = { file: 'gone.h5', url: `${base}/missing/gone.h5` };
  await assert.rejects(downloadWeights(w, dir, { archId: 'resnet50' }), (err: Error) => {
    assert.ok(err instanceof WeightsDownloadError && err.kind === 'http');
    assert.match(err.message, /HTTP 404/);
    assert.ok(err.message.includes(w.url));
    return true;
  });
  assert.deepEqual(readdirSync(dir), []);
});

test('no network: the message names the URL and how to import the file by hand', { timeout: 20_000 }, async () => {
  const { dir } = setup();
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const w = { file: FILE, url: `http://127.0.0.1:${port}/keras/${FILE}` };
  await assert.rejects(downloadWeights(w, dir, { archId: 'mobilenet_025' }), (err: Error) => {
    assert.ok(err instanceof WeightsDownloadError && err.kind === 'network');
    assert.ok(err.message.includes(w.url), err.message);
    assert.ok(err.message.includes(`studio backbones import ${FILE} --arch mobilenet_025`), err.message);
    assert.match(err.message, /Import button/);
    return true;
  });
  assert.deepEqual(readdirSync(dir), []);
});

test('cancelling keeps the part and rejects with AbortError; a later call resumes', { timeout: 20_000 }, async () => {
  const { dir, w } = setup({ kind: 'serve', delayMs: 15 });
  const ac = new AbortController();
  const pending = downloadWeights(w, dir, { signal: ac.signal, onProgress: (p) => p.bytes >= 300_000 && ac.abort() });
  await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
  const kept = statSync(part(dir)).size;
  assert.ok(kept >= 300_000 && kept < data.length, `part holds ${kept} bytes`);
  assert.equal(existsSync(join(dir, FILE)), false);
  assert.equal(isPresent(dir, FILE), false);

  behaviour = { kind: 'serve', delayMs: 0 };
  requests = [];
  assertComplete(dir, w, await downloadWeights(w, dir));
  assert.deepEqual(requests, [{ url: `/keras/${FILE}`, range: `bytes=${kept}-`, status: 206 }]);
});

test(
  'concurrent calls share one request; one caller cancelling leaves the others downloading',
  { timeout: 20_000 },
  async () => {
    const { dir, w } = setup({ kind: 'serve', delayMs: 10 });
    const ac = new AbortController();
    const seenA: number[] = [];
    const a = downloadWeights(w, dir, { onProgress: (p) => seenA.push(p.bytes) });
    const b = downloadWeights(w, dir);
    const c = downloadWeights(w, dir, { signal: ac.signal, onProgress: (p) => p.bytes > 0 && ac.abort() });
    await assert.rejects(c, (err: Error) => err.name === 'AbortError');
    const [pa, pb] = await Promise.all([a, b]);
    assert.equal(pa, pb);
    assertComplete(dir, w, pa);
    assert.equal(requests.length, 1);
    assert.equal(seenA.at(-1), data.length);
  },
);

test('a file already present returns at once without a request', { timeout: 20_000 }, async () => {
  const { dir, w } = setup();
  await downloadWeights(w, dir);
  requests = [];
  const refuse: typeof fetch = async () => assert.fail('no request for a present file');
  const path = await downloadWeights(w, dir, { fetchImpl: refuse });
  assertComplete(dir, w, path);
  assert.equal(requests.length, 0);
});
