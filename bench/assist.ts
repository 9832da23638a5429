// bench/assist: how many actions a person needs to label Fashion-MNIST with the assistant,
// against labeling one by one. A simulated annotator who knows the true labels works a
// real project through the contract, as the UI's keys do: a number key labels one image,
// Enter accepts a suggestion, a bulk action (accept-above, with its dialog) counts one
// action per key press. Then the assistant's refresh time on 10,000 cached images.
//   npx tsx bench/assist.ts [--images 3000] [--size 96] [--seed 1]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FASHION_CLASSES } from '../scripts/fashion-mnist';
import { dispatch } from '../src-main/rpc/dispatcher';
import { Studio } from '../src-main/services/studio';
import type { ServerMessage } from '../src-shared/rpc';
import { refreshTimes } from './assist-refresh';
import { writeProject } from './assist-project';

const { values: opt } = parseArgs({
  options: {
    images: { type: 'string', default: '3000' },
    size: { type: 'string', default: '96' },
    seed: { type: 'string', default: '1' },
  },
});
const N = Number(opt.images);
const FIXTURE = '/work/shared/fixtures/keras/mobilenet_2_5_224_tf_no_top.h5';

type Call = (service: string, method: string, input?: unknown) => Promise<any>;

function caller(studio: Studio): Call {
  let id = 0;
  return async (service, method, input = {}) => {
    const out = (await dispatch(studio, { kind: 'call', id: ++id, service, method, input })) as Extract<
      ServerMessage,
      { kind: 'result' }
    >;
    if (!out.ok) throw new Error(`${service}.${method}: ${out.error.message}`);
    return out.value;
  };
}

/** The annotator: counts its actions and, after each, how many images are correctly labeled. */
class Annotator {
  actions = 0;
  readonly reached = new Map<number, number>();
  readonly labels = new Map<number, number | null>();

  constructor(
    private readonly call: Call,
    private readonly truth: Map<number, string>,
    private readonly classId: Map<string, number>,
  ) {}

  right(imageId: number): number {
    return this.classId.get(this.truth.get(imageId)!)!;
  }

  async act(change: () => Promise<void>): Promise<void> {
    await change();
    this.actions++;
    const items = (await this.call('dataset', 'images', { limit: 2000, offset: 0 })).total as number;
    let correct = 0;
    for (let offset = 0; offset < items; offset += 2000) {
      for (const im of (await this.call('dataset', 'images', { limit: 2000, offset })).items)
        if (im.classId === this.right(im.id)) correct++;
    }
    for (const target of [0.95, 0.99])
      if (correct >= target * this.truth.size && !this.reached.has(target)) this.reached.set(target, this.actions);
  }

  async key(imageId: number, classId: number): Promise<void> {
    await this.act(async () => void (await this.call('labels', 'assign', { imageIds: [imageId], classId })));
  }

  done(target: number): boolean {
    return this.reached.has(target);
  }
}

/** Labels images in grid order, one key each, until every class has `min`. */
async function seed(a: Annotator, order: number[], min: number): Promise<void> {
  const have = new Map<number, number>();
  for (const id of order) {
    if ([...new Set(a['classId'].values())].every((c) => (have.get(c) ?? 0) >= min)) return;
    const c = a.right(id);
    await a.key(id, c);
    have.set(c, (have.get(c) ?? 0) + 1);
  }
}

/**
 * Accept-above, class by class, as a person uses the dialog: pick the class (one key),
 * look at the preview's thumbnails, and confirm (one key) only when every one shown is right.
 */
async function acceptAbove(a: Annotator, call: Call, p: number): Promise<void> {
  a.actions++; // open the dialog
  for (const classId of new Set(a['classId'].values())) {
    const preview = await call('assist', 'accept', { threshold: p, classId, preview: true });
    if (preview.total === 0) continue;
    a.actions++; // choose the class
    if (!(preview.sample as { imageId: number }[]).every((s) => a.right(s.imageId) === classId)) continue;
    await a.act(async () => void (await call('assist', 'accept', { threshold: p, classId })));
  }
  await call('assist', 'refresh');
}

/** One round: a page of the queue, accept-above, then the top of the disagreement list. */
async function round(a: Annotator, call: Call, page: number, p: number): Promise<boolean> {
  const queue = (await call('assist', 'queue', { count: page })).items as { imageId: number; classId: number }[];
  for (const s of queue) await a.key(s.imageId, a.right(s.imageId)); // Enter when the suggestion is right, the number key when not: one key either way
  await call('assist', 'refresh');
  await acceptAbove(a, call, p);
  const doubts = (await call('assist', 'disagreements', { limit: 10 })).items as {
    imageId: number;
    labelClassId: number;
  }[];
  for (const d of doubts) {
    if (d.labelClassId !== a.right(d.imageId)) await a.key(d.imageId, a.right(d.imageId));
    else a.actions++; // looked at it and moved on
  }
  return queue.length > 0 || doubts.some((d) => d.labelClassId !== a.right(d.imageId));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'studio-bench-assist-'));
  const models = join(dir, 'models');
  try {
    const t0 = performance.now();
    const { projectDir, truth } = await writeProject(dir, N, Number(opt.seed));
    const studio = new Studio({
      modelCacheDir: models,
      configDir: dir,
      background: false,
      runs: { backend: 'wasm' },
      assist: { backboneId: 'mobilenet_0.25', inputSize: Number(opt.size), auto: false },
    });
    await studio.backbones.import({ file: FIXTURE, id: 'mobilenet_0.25' });
    const call = caller(studio);
    studio.folders.access.grant(projectDir);
    await call('project', 'open', { path: projectDir });
    const classId = new Map<string, number>();
    for (const name of FASHION_CLASSES) classId.set(name, (await call('classes', 'create', { name })).classId);
    const a = new Annotator(call, truth, classId);
    const order = [...truth.keys()].sort((x, y) => x - y);
    await seed(a, order, 5);
    const t1 = performance.now();
    const first = await call('assist', 'refresh');
    console.log(
      `${truth.size} images written and recorded in ${((t1 - t0) / 1000).toFixed(1)} s; first training with the cache build: ${((performance.now() - t1) / 1000).toFixed(1)} s (${first.message})`,
    );
    for (let r = 0; r < 200 && !a.done(0.99); r++) {
      if (!(await round(a, call, 20, 0.95))) break;
      console.log(`  round ${r}: ${a.actions} actions; ${(await call('assist', 'state')).message}`);
    }
    studio.close();
    report(a, truth.size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const line of await refreshTimes(10_000)) console.log(line);
}

function report(a: Annotator, n: number): void {
  for (const target of [0.95, 0.99]) {
    // One by one, a perfect annotator labels one image per key: the count is exact, not simulated.
    const oneByOne = Math.ceil(target * n);
    const assisted = a.reached.get(target);
    const ratio = assisted === undefined ? 'not reached' : `${(oneByOne / assisted).toFixed(1)}x fewer`;
    console.log(
      `${Math.round(target * 100)} % correctly labeled: (a) one by one ${oneByOne} actions, (b) assisted ${assisted ?? '-'} actions: ${ratio}${target === 0.95 ? ' (target >= 5x)' : ''}`,
    );
  }
}

await main();
