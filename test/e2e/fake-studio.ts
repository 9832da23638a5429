// A stand-in for the studio's services with any number of synthetic images, served the way
// the real server serves them (the contract over a WebSocket, thumbnails behind the token).
// It lets the renderer be tested at a scale (100,000 images) that a real import cannot
// reach inside a test's time budget. The contract is served by the real dispatcher, so
// every answer is still checked against the contract's schemas.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import sharp from 'sharp';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { waitingAssistState } from '../../src-shared/assist';
import type { Handlers } from '../../src-shared/contract';
import { fixedProvider } from '../helpers/fixed-provider';
import { StudioError } from '../../src-shared/errors';
import type { ClientMessage, ServerMessage } from '../../src-shared/rpc';
import type { ClassInfo, EditRecord, ImageFilter, ImageSummary, Split } from '../../src-shared/schemas';
import { EventHub, serve } from '../../src-main/rpc/dispatcher';
import { closeServer } from '../../src-main/server/server';
import { fakeMap } from './fake-map';
import { launchBrowser, openPage, RENDERER_DIR } from './harness';

// Not taken from harness.ts, so this runs without the real services loaded.

const CLASS_NAMES = ['cat', 'dog', 'bird', 'horse', 'ship', 'truck', 'plane', 'frog', 'deer', 'car'];
const COLORS = [
  '#e06c75',
  '#e5c07b',
  '#98c379',
  '#56b6c2',
  '#61afef',
  '#c678dd',
  '#d19a66',
  '#be5046',
  '#7f848e',
  '#2bbac5',
];
const SPLITS: (Split | null)[] = ['train', 'train', 'train', 'val', 'test', null];

export interface FakeImage extends ImageSummary {
  index: number;
}

/** Image i: every 11th is unlabeled, the rest cycle through the classes and splits. */
export function fakeImage(index: number): FakeImage {
  const classId = index % 11 === 10 ? null : (index % 10) + 1;
  const hash = createHash('sha256').update(`fake-${index}`).digest('hex');
  return {
    index,
    id: index + 1,
    hash,
    classId,
    split: SPLITS[index % SPLITS.length],
    width: 64,
    height: 64,
    excluded: false,
  };
}

function matches(image: ImageSummary, filter: ImageFilter): boolean {
  if (filter.unlabeled && image.classId !== null) return false;
  if (!filter.unlabeled && filter.classId !== undefined && image.classId !== filter.classId) return false;
  if (filter.split === 'none') return image.split === null;
  return filter.split === undefined || image.split === filter.split;
}

/** Label calls the fake received, so a test can see what crossed the wire. */
export type LabelCall =
  | { method: 'assign'; imageIds: number[]; classId: number | null }
  | { method: 'assignFilter'; filter: ImageFilter; classId: number | null };

export function fakeHandlers(images: FakeImage[], labelCalls: LabelCall[] = []): Handlers {
  const classes: ClassInfo[] = CLASS_NAMES.map((name, k) => ({
    id: k + 1,
    name,
    color: COLORS[k],
    count: images.filter((i) => i.classId === k + 1).length,
  }));
  const info = {
    path: '/fake/project',
    name: 'fake-project',
    schemaVersion: 1,
    images: images.length,
    classes: classes.length,
    problems: 0,
    readOnly: false,
  };
  const countSplit = (s: Split | null) => images.filter((i) => i.split === s).length;
  const none = (what: string) => {
    throw new StudioError('invalid-input', `The fake studio does not do ${what}.`);
  };
  // Label edits are recorded and listed in the history, not applied: the fake's images never change.
  const edits: EditRecord[] = [];
  const record = (images: number, classId: number | null) => {
    const name = classId === null ? 'unlabeled' : `"${CLASS_NAMES[classId - 1]}"`;
    edits.unshift({
      id: edits.length + 1,
      at: Date.now(),
      description: `Labelled ${images} images ${name}`,
      images,
      undone: false,
    });
    return { editId: edits.length, canUndo: true, canRedo: false };
  };
  const labels: Pick<Handlers['labels'], 'assign' | 'assignFilter' | 'history'> = {
    assign: ({ imageIds, classId }) => (
      labelCalls.push({ method: 'assign', imageIds, classId }),
      record(imageIds.length, classId)
    ),
    assignFilter: ({ filter, classId }) => {
      labelCalls.push({ method: 'assignFilter', filter, classId });
      return record(images.filter((i) => matches(i, filter)).length, classId);
    },
    history: ({ limit }) => ({ edits: edits.slice(0, limit), canUndo: edits.length > 0, canRedo: false }),
  };
  // The dataset page asks the assistant how it stands: never started, as on a project just opened.
  const assist: Pick<Handlers['assist'], 'state'> = {
    state: () => waitingAssistState(5),
  };
  const known: Pick<Handlers, 'project' | 'imports' | 'dataset' | 'map'> & {
    labels: typeof labels;
    assist: typeof assist;
  } = {
    labels,
    assist,
    map: fakeMap(images),
    project: {
      open: () => info,
      current: () => info,
      close: () => null,
      recent: () => [],
      forget: () => null,
      restore: () => none('project'),
    },
    imports: { start: () => none('imports'), cancel: () => null, list: () => [], problems: () => [] },
    dataset: {
      classes: () => classes,
      images: ({ filter, offset, limit }) => {
        const hits = images.filter((i) => matches(i, filter));
        return {
          total: hits.length,
          items: hits.slice(offset, offset + limit).map(({ index: _, ...summary }) => summary),
        };
      },
      image: ({ id }) => {
        const { index, ...summary } = images[id - 1];
        const className = classes.find((c) => c.id === summary.classId)?.name ?? null;
        return {
          ...summary,
          format: 'png',
          bytes: 1234 + index,
          paths: [`/fake/images/${index}.png`],
          className,
          addedAt: 0,
        };
      },
      problems: () => ({ total: 0, items: [] }),
      modelView: () => none('model views'),
      stats: () => ({
        total: images.length,
        unlabeled: images.filter((i) => i.classId === null).length,
        perClass: classes.map(({ name, count }) => ({ name, count })),
        excluded: 0,
        perSplit: {
          train: countSplit('train'),
          val: countSplit('val'),
          test: countSplit('test'),
          none: countSplit(null),
        },
        problems: [],
      }),
    },
  };
  // Whatever else the contract grows answers with an error, so this file need not follow it.
  const missing = new Proxy({}, { get: (_t, method) => () => none(String(method)) });
  return new Proxy(known, { get: (target, service) => Reflect.get(target, service) ?? missing }) as unknown as Handlers;
}

/** One small WebP per class, like the real thumbnails, so the browser's decoding costs what it would. */
async function classThumbs(): Promise<Buffer[]> {
  const colors = [...COLORS, '#555555'];
  return Promise.all(
    colors.map((color) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128" fill="${color}"/><circle cx="64" cy="64" r="40" fill="#fff" opacity="0.4"/></svg>`;
      return sharp(Buffer.from(svg)).webp({ quality: 80 }).toBuffer();
    }),
  );
}

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export interface FakeStudio {
  url: string;
  /** How many times each thumbnail was asked for, by image index. */
  thumbRequests: Map<number, number>;
  labelCalls: LabelCall[];
  close(): Promise<void>;
}

/** `port` and `token` let a test bring the "same" studio back after closing it. */
export async function startFakeStudio(
  count: number,
  opts: { port?: number; token?: string } = {},
): Promise<FakeStudio> {
  const images = Array.from({ length: count }, (_, i) => fakeImage(i));
  const byHash = new Map(images.map((i) => [i.hash, i]));
  const token = opts.token ?? randomBytes(12).toString('hex');
  const thumbRequests = new Map<number, number>();
  const labelCalls: LabelCall[] = [];
  const handlers = fakeHandlers(images, labelCalls);
  const hub = new EventHub();
  const thumbs = await classThumbs();

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const media = /^\/(thumb|image)\/([0-9a-f]{64})$/.exec(url.pathname);
    if (media) {
      const image = byHash.get(media[2]);
      if (url.searchParams.get('token') !== token || !image) return void reply(res, 404, 'text/plain', 'no');
      thumbRequests.set(image.index, (thumbRequests.get(image.index) ?? 0) + 1);
      return void reply(res, 200, 'image/webp', thumbs[(image.classId ?? 11) - 1]);
    }
    const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = normalize(join(RENDERER_DIR, rel));
    if (!file.startsWith(RENDERER_DIR + sep) || !existsSync(file)) return void reply(res, 404, 'text/plain', 'no');
    reply(res, 200, MIME[extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  const wss = new WebSocketServer({ server: http, path: '/rpc' });
  wss.on('connection', (ws, req) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token') !== token) return void ws.close();
    const listeners = new Set<(m: ClientMessage) => void>();
    const end = serve(fixedProvider(handlers), hub, {
      send: (m: ServerMessage) => ws.send(JSON.stringify(m)),
      onMessage: (l) => (listeners.add(l), () => listeners.delete(l)),
    });
    ws.on('message', (data) => listeners.forEach((l) => l(JSON.parse(String(data)))));
    ws.on('close', end);
  });
  await new Promise<void>((ok) => http.listen(opts.port ?? 0, '127.0.0.1', ok));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    thumbRequests,
    labelCalls,
    close: () => closeServer(http, wss),
  };
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

/** What a test file on the fake studio works with, once `before` has run. */
export interface FakeE2e {
  /** The fake studio; a test that restarts it puts the new one here, for `after` to close. */
  fake: FakeStudio;
  browser: Browser;
  page: Page;
  /** Uncaught page errors: a test that ends with none asserts this is empty. */
  errors: string[];
}

/**
 * The set-up of an end-to-end test file on `count` fake images: the fake studio, Chromium on
 * its page once the grid knows the total, and both closed after the file. Call it inside
 * `describe`, before the tests.
 */
export function fakeE2eSetup(count: number): FakeE2e {
  const e2e = { errors: [] as string[] } as FakeE2e;
  before(async () => {
    e2e.fake = await startFakeStudio(count);
    e2e.browser = await launchBrowser();
    e2e.page = await openPage(e2e.browser, e2e.fake.url, e2e.errors);
    await e2e.page.waitForSelector(`[data-testid=total-count][data-total="${count}"]`);
  });
  after(async () => {
    // Unset where a failed `before` stopped early.
    const made = e2e as Partial<FakeE2e>;
    await made.browser?.close();
    await made.fake?.close();
  });
  return e2e;
}
