// bench/assist: how many actions a person needs to label Fashion-MNIST, or the Tux Paint
// stamps (--data stamps), with the assistant, against labeling one by one. A simulated annotator
// who knows the true labels works a real project through the contract as the dataset page does;
// it labels 5 per class in grid order (clicking past runs of classes that have theirs), then
// follows one of two flows:
// - views (bench/assist-annotator.ts): the "Predicted class" views, most confident first,
//   taking the suggestions above a probability that falls round by round, fixing the wrong
//   ones it sees;
// - review (bench/assist-review.ts): R screens of the least certain images, one "Accept
//   suggestions" for all the rest, then a review of the accepted ones least certain first.
// The assistant retrains after each view or screen, as it does after a label change in the app.
// (a) one by one is one key per image.
//   npx tsx bench/assist.ts [--data fashion|stamps] [--images 3000] [--backbone mobilenet_v2] [--size 224]
//     [--min 50] [--max 100] (stamps: the categories with at least --min stamps, at most --max of each)
//     [--features-from DIR] [--screen 50] [--seed 1] [--no-seed-skip] [--no-refresh-times]
//     [--flow views] [--thresholds 0.98,0.95,...]
//     [--flow review] [--rounds 15] [--pick class|static] [--review uncertainty|disagreement]
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dispatch } from '../src-main/rpc/dispatcher';
import { Studio } from '../src-main/services/studio';
import { wilsonInterval } from '../src-shared/engine-metrics';
import type { ServerMessage } from '../src-shared/rpc';
import { Annotator, classView, seed, type Call } from './assist-annotator';
import { refreshTimes } from './assist-refresh';
import { reviewFlow, type ReviewOptions } from './assist-review';
import { FIXTURES, writeProject, writeStampsProject } from './assist-project';

const { values: opt } = parseArgs({
  options: {
    data: { type: 'string', default: 'fashion' },
    min: { type: 'string', default: '50' },
    max: { type: 'string', default: '100' },
    images: { type: 'string', default: '3000' },
    backbone: { type: 'string', default: 'mobilenet_v2' },
    // MobileNetV2's own input size: what the studio's default backbone uses.
    size: { type: 'string', default: '224' },
    seed: { type: 'string', default: '1' },
    // A feature cache built before (bench/assist-features.ts) for the same images: copied in, so
    // the run skips the build. Fashion-MNIST's 3,000 take minutes here; the stamps are built in the run.
    'features-from': { type: 'string' },
    screen: { type: 'string', default: '50' },
    thresholds: { type: 'string', default: '0.98,0.95,0.9,0.85,0.8,0.7,0.6,0.4,0' },
    // views: the "Predicted class" views above falling thresholds; review: bench/assist-review.ts.
    flow: { type: 'string', default: 'views' },
    rounds: { type: 'string', default: '15' },
    pick: { type: 'string', default: 'class' },
    review: { type: 'string', default: 'uncertainty' },
    'no-refresh-times': { type: 'boolean', default: false },
    // Seeding 5 per class: click past runs of classes that have theirs (--no-seed-skip: label every image in turn).
    'no-seed-skip': { type: 'boolean', default: false },
  },
});
if (opt.data !== 'fashion' && opt.data !== 'stamps')
  throw new Error(`--data must be fashion or stamps, not "${opt.data}"`);
const oneOf = (flag: string, value: string, allowed: string[]) => {
  if (!allowed.includes(value)) throw new Error(`--${flag} must be ${allowed.join(' or ')}, not "${value}"`);
};
oneOf('flow', opt.flow, ['views', 'review']);
oneOf('pick', opt.pick, ['static', 'class']);
oneOf('review', opt.review, ['uncertainty', 'disagreement']);
for (const flag of ['screen', 'rounds'] as const)
  if (!(Number(opt[flag]) >= 0 && Number.isInteger(Number(opt[flag]))))
    throw new Error(`--${flag} must be a whole number, not "${opt[flag]}"`);
const FEATURES_FROM =
  opt['features-from'] ?? (opt.data === 'fashion' ? '/tmp/studio-assist-fm/fashion-3000/project/cache/features' : '');
const WEIGHTS: Record<string, string> = {
  mobilenet_v2: 'mobilenet_v2_1.0_224_from_slim_no_top.h5',
  'mobilenet_0.25': 'mobilenet_2_5_224_tf_no_top.h5',
};

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

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
const load = () => loadavg()[0]!.toFixed(1);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'studio-bench-assist-'));
  try {
    const t0 = performance.now();
    const {
      projectDir,
      truth: names,
      classes,
    } = opt.data === 'fashion'
      ? await writeProject(dir, Number(opt.images), Number(opt.seed))
      : await writeStampsProject(dir, { min: Number(opt.min), max: Number(opt.max), seed: Number(opt.seed) });
    const from = FEATURES_FROM;
    if (from && existsSync(from)) cpSync(from, join(projectDir, 'cache', 'features'), { recursive: true });
    const studio = new Studio({
      modelCacheDir: join(dir, 'models'),
      configDir: dir,
      background: false,
      runs: { backend: 'wasm' },
      assist: { backboneId: opt.backbone, inputSize: Number(opt.size), auto: false },
    });
    await studio.backbones.import({ file: join(FIXTURES, WEIGHTS[opt.backbone]!), id: opt.backbone });
    const call = caller(studio);
    studio.folders.access.grant(projectDir);
    await call('project', 'open', { path: projectDir });
    const classIds: number[] = [];
    for (const name of classes) classIds.push((await call('classes', 'create', { name })).classId);
    const truth = new Map([...names].map(([id, name]) => [id, classIds[classes.indexOf(name)]!]));
    const a = new Annotator(call, truth);
    await seed(
      a,
      [...truth.keys()].sort((x, y) => x - y),
      classIds,
      5,
      { screen: Number(opt.screen), skip: !opt['no-seed-skip'] },
    );
    const t1 = performance.now();
    const first = await call('assist', 'refresh');
    console.log(
      `${truth.size} images in ${secs(t0)}; first training (${opt.backbone} at ${opt.size} px, features ${from && existsSync(from) ? 'from the copied cache' : 'built now'}): ${secs(t1)}; ${first.message}`,
    );
    if (opt.flow === 'review') {
      await reviewFlow(a, call, classIds, {
        screen: Number(opt.screen),
        rounds: Number(opt.rounds),
        pick: opt.pick as ReviewOptions['pick'],
        review: opt.review as ReviewOptions['review'],
      });
      console.log(`  review flow: ${a.actions} actions, ${await a.correct()} correct; load ${load()}`);
    } else await views(a, call, classIds);
    studio.close();
    report(a, truth.size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!opt['no-refresh-times']) for (const line of await refreshTimes(10_000)) console.log(line);
}

/** The first strategy: the "Predicted class" views, most confident first, above thresholds that fall round by round. */
async function views(a: Annotator, call: Call, classIds: number[]): Promise<void> {
  a.look('views'); // "Order by suggestion": most confident first, once
  for (const threshold of opt.thresholds.split(',').map(Number)) {
    let taken = 0;
    for (const classId of classIds) {
      taken += await classView(a, call, classId, { screen: Number(opt.screen), threshold });
      await call('assist', 'refresh'); // the app retrains after the label change; the next view reads it
    }
    const state = await call('assist', 'state');
    console.log(
      `  at ${threshold}: took ${taken}; ${a.actions} actions, ${await a.correct()} correct; load ${load()}; ${state.message}`,
    );
    if (a.done(0.99)) break;
  }
}

function report(a: Annotator, n: number): void {
  const taken = a.right + a.wrong;
  const { low, high } = wilsonInterval(a.right, taken);
  console.log(
    `suggestions taken: ${taken}, right ${((100 * a.right) / taken).toFixed(1)} % (95 % Wilson ${(100 * low).toFixed(1)}-${(100 * high).toFixed(1)})`,
  );
  console.log(`actions by kind: ${JSON.stringify(a.spent)}`);
  for (const target of [0.95, 0.99]) {
    // One by one, a perfect annotator labels one image per key: the count is exact, not simulated.
    const oneByOne = Math.ceil(target * n);
    const assisted = a.reached.get(target);
    const ratio = assisted === undefined ? 'not reached' : `${(oneByOne / assisted).toFixed(2)}x fewer`;
    console.log(
      `${Math.round(target * 100)} % correctly labeled: (a) one by one ${oneByOne} actions, (b) assisted ${assisted ?? '-'} actions: ${ratio}${target === 0.95 ? ' (target >= 5x)' : ''}`,
    );
  }
}

await main();
