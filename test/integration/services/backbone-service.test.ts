// The backbone service over a local weight store: a download reports progress as events and
// ends with the weights listed as present (source, size, checksum); a cancelled download says
// so and the next one resumes; a bundled backbone cannot be downloaded.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BackboneDownload } from '../../../src-shared/backbones';
import { BackboneService } from '../../../src-main/services/backbones/backbone-service';

const FIXTURE = readFileSync(join(import.meta.dirname, '../../fixtures/keras/mobilenet_2_5_224_tf_no_top.h5'));
const SHA = createHash('sha256').update(FIXTURE).digest('hex');
let server: Server;
let slow = false;
const ranges: string[] = [];
const dirs: string[] = [];
const saved = process.env.STUDIO_WEIGHTS_BASE_URL;

before(async () => {
  server = createServer((req, res) => {
    if (!req.url!.endsWith('/mobilenet/mobilenet_2_5_224_tf_no_top.h5')) return void res.writeHead(404).end();
    const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    ranges.push(req.headers.range ?? '');
    res.writeHead(from ? 206 : 200, {
      'content-length': FIXTURE.length - from,
      ...(from ? { 'content-range': `bytes ${from}-${FIXTURE.length - 1}/${FIXTURE.length}` } : {}),
    });
    if (!slow) return void res.end(FIXTURE.subarray(from));
    // Slowly, in small pieces, so a cancel lands mid-way.
    let at = from;
    const tick = setInterval(() => {
      if (res.destroyed || at >= FIXTURE.length) return void (clearInterval(tick), res.end());
      res.write(FIXTURE.subarray(at, (at += 32 * 1024)));
    }, 20);
    res.on('close', () => clearInterval(tick));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  process.env.STUDIO_WEIGHTS_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  if (saved === undefined) delete process.env.STUDIO_WEIGHTS_BASE_URL;
  else process.env.STUDIO_WEIGHTS_BASE_URL = saved;
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function service(events: BackboneDownload[]): BackboneService {
  dirs.push(mkdtempSync(join(tmpdir(), 'studio-models-')));
  return new BackboneService({ cacheDir: dirs.at(-1), emit: (d) => events.push(d) });
}

test('a download reports its progress and ends with the weights present, downloaded, with their checksum', async () => {
  slow = false;
  const events: BackboneDownload[] = [];
  const s = service(events);
  const first = await s.download({ id: 'mobilenet_0.25' });
  assert.equal(first.state, 'downloading');
  const end = await s.settled('mobilenet_0.25');
  assert.equal(end?.state, 'done');
  assert.equal(events.at(-1)!.bytes, FIXTURE.length);
  assert.ok(
    events.every((e, i) => i === 0 || e.bytes >= events[i - 1]!.bytes),
    'bytes never go back',
  );
  const info = (await s.list()).find((b) => b.id === 'mobilenet_0.25')!;
  assert.deepEqual(
    [info.weights.present, info.weights.source, info.weights.bytes, info.weights.sha256, info.recommended],
    [true, 'download', FIXTURE.length, SHA, true],
  );
});

test('a cancelled download says so; the next one resumes from what arrived', async () => {
  slow = true;
  ranges.length = 0;
  const events: BackboneDownload[] = [];
  const s = service(events);
  await s.download({ id: 'mobilenet_0.25' });
  while (!events.some((e) => e.bytes > 256 * 1024)) await new Promise((r) => setTimeout(r, 10));
  s.cancelDownload({ id: 'mobilenet_0.25' });
  const cancelled = await s.settled('mobilenet_0.25');
  assert.equal(cancelled?.state, 'cancelled');
  assert.match(cancelled?.message ?? '', /cancelled; what arrived is kept and the next download resumes it/);
  assert.equal((await s.list()).find((b) => b.id === 'mobilenet_0.25')!.weights.present, false);
  slow = false;
  await s.download({ id: 'mobilenet_0.25' });
  assert.equal((await s.settled('mobilenet_0.25'))?.state, 'done');
  assert.match(ranges.at(-1)!, /^bytes=\d+-$/);
  assert.ok(Number(/\d+/.exec(ranges.at(-1)!)![0]) > 0);
  assert.equal((await s.list()).find((b) => b.id === 'mobilenet_0.25')!.weights.sha256, SHA);
});

test('bundled and unknown backbones cannot be downloaded, with a reason', async () => {
  const s = service([]);
  await assert.rejects(s.download({ id: 'nsfwjs_mobilenet_v2' }), /has bundled weights; only Keras Applications/);
  await assert.rejects(s.download({ id: 'nope' }), /backbone "nope" is not in the registry/);
});
