// How long the main thread's event loop is blocked while the assistant refreshes, with the
// fit on the main thread (as before: it yields only between L-BFGS iterations) against the
// fit in its worker thread (services/assist/fit-thread.ts), in one process on the same data:
// 10,000 images of REDUCED_DIMS (256) planted features (what the feature store's PCA hands the fit), 10
// classes; per labeled count, the first training (the strength chosen: 4 x 5 fold fits) and
// the refresh after one more label (strength kept, warm start), as the service runs them.
// Then the reduction a new set of images goes through once (standardise MobileNetV2's 2,304
// readout values, weigh its three layers, PCA to 256), here and in the thread.
// The longest block is read two ways: perf_hooks' monitorEventLoopDelay (1 ms resolution)
// and a 1 ms timer's longest gap; the main thread's utilization is its busy share.
//   npx tsx bench/assist-block.ts [--images 10000] [--rounds 2]
import { parseArgs } from 'node:util';
import { FitThread } from '../src-main/services/assist/fit-thread';
import { keptStrength, trainAssistant, type AssistInput } from '../src-main/services/assist/model/assistant';
import { REDUCED_DIMS, standardizedReduced } from '../src-main/services/assist/model/reduce';
import type { AssistOutput } from '../src-main/services/assist/model/assistant';
import { watchMainThread, type MainThreadWatch as Watch } from '../test/helpers/main-thread';
import { planted } from './assist-refresh';

/** MobileNetV2's readout: block_12_add and block_15_add by quadrant, out_relu averaged. */
const READOUT = [4 * 96, 4 * 160, 1280];

/** A 1 ms timer: the bench reads blocks of a few ms. */
const watched = <T>(f: () => Promise<T>) => watchMainThread(f, 1);

type Fit = (input: Omit<AssistInput, 'features'>) => Promise<AssistOutput>;

/** The first training, then the refresh after one more label, each watched. */
async function pair(
  fit: Fit,
  truth: Int32Array,
  labeled: number,
  k: number,
): Promise<{ first: Watch; refresh: Watch }> {
  const labels = Int32Array.from(truth, (y, i) => (i < labeled ? y : -1));
  const first = await watched(() => fit({ labels, k, seed: 1 }));
  labels[labeled] = truth[labeled]!;
  const lambda = keptStrength({ lambda: first.out.cv.lambda, labeled, classes: 'k' }, labeled + 1, 'k');
  const refresh = await watched(() => fit({ labels, k, seed: 1, lambda, warm: first.out.model.theta }));
  return { first: first.w, refresh: refresh.w };
}

const f = (w: Watch) =>
  `${(w.ms / 1000).toFixed(2)} s, longest block ${w.delayMs.toFixed(0)} ms (timer gap ${w.gapMs.toFixed(0)} ms), main busy ${(100 * w.busy).toFixed(0)} %`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { images: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '2' } },
  });
  const n = Number(values.images);
  const k = 10;
  const { x, truth } = planted(n, REDUCED_DIMS, k);
  const features = { x, d: REDUCED_DIMS };
  const thread = new FitThread();
  const onMain: Fit = (input) => trainAssistant({ ...input, features });
  const inThread: Fit = (input) => thread.train(features, input);
  // The thread's start and the features' first copy happen once per project: paid here, before the rounds.
  await inThread({ labels: Int32Array.from(truth, (y, i) => (i < 50 ? y : -1)), k, seed: 1 });
  console.log(
    `${n} images x ${REDUCED_DIMS} planted features, ${k} classes; ${values.rounds} rounds, main then thread in each:`,
  );
  for (let round = 1; round <= Number(values.rounds); round++)
    for (const labeled of [200, 1000]) {
      const main = await pair(onMain, truth, labeled, k);
      const worker = await pair(inThread, truth, labeled, k);
      console.log(`round ${round}, ${labeled} labeled:`);
      console.log(`  main thread  first: ${f(main.first)}`);
      console.log(`               refresh: ${f(main.refresh)}`);
      console.log(`  worker       first: ${f(worker.first)}`);
      console.log(`               refresh: ${f(worker.refresh)}`);
      console.log(
        `  longest block, refresh: ${(main.refresh.delayMs / worker.refresh.delayMs).toFixed(1)}x shorter; first training: ${(main.first.delayMs / worker.first.delayMs).toFixed(1)}x`,
      );
    }
  const raw = planted(
    n,
    READOUT.reduce((a, b) => a + b),
    k,
  ).x;
  const copy = raw.slice();
  const here = await watched(() => standardizedReduced(raw, READOUT, REDUCED_DIMS));
  const there = await watched(() => thread.reduce(copy, READOUT, REDUCED_DIMS));
  console.log(`reduction of ${n} x ${READOUT.join(' + ')} to ${REDUCED_DIMS} (once per set of images):`);
  console.log(`  main thread  ${f(here.w)}`);
  console.log(`  worker       ${f(there.w)}`);
  console.log(`  longest block ${(here.w.delayMs / there.w.delayMs).toFixed(1)}x shorter`);
  thread.close();
}
