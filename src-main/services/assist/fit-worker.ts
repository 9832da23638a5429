// The assistant's fitting thread: the reduction of a new set of images, cross-validation,
// the full fit and the prediction of every image run here, so the main process's event loop
// (RPC, the window's IPC) never waits on them. Jobs run one at a time in the order they came;
// a cancel is heard between L-BFGS iterations and PCA chunks, where this thread's event loop
// gets a turn.
import { parentPort } from 'node:worker_threads';
import type { FromFit, ToFit } from './fit-protocol';
import { trainAssistant } from './model/assistant';
import { standardizedReduced } from './model/reduce';
import type { Features } from './model/softmax';

const port = parentPort!;
let held: Features | null = null;
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

const send = (m: FromFit, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

type Job = Extract<ToFit, { type: 'train' | 'reduce' }>;

async function run(m: Job, features: Features | null): Promise<void> {
  const signal = controllers.get(m.job)?.signal;
  try {
    if (signal?.aborted) return;
    if (m.type === 'reduce') {
      const out = await standardizedReduced(m.raw, m.blocks, m.r, signal);
      return send({ type: 'reduced', job: m.job, x: out.x, d: out.d }, [out.x.buffer as ArrayBuffer]);
    }
    if (!features) throw new Error('the fitting thread was given no features');
    const out = await trainAssistant({
      features,
      labels: m.labels,
      k: m.k,
      seed: m.seed,
      lambda: m.lambda,
      warm: m.warm,
      signal,
      onFit: (done, total) => send({ type: 'progress', job: m.job, done, total }),
    });
    send({ type: 'trained', job: m.job, ...out }, [out.probs.buffer as ArrayBuffer, out.cv.oof.buffer as ArrayBuffer]);
  } catch (err) {
    if (!signal?.aborted)
      send({ type: 'failed', job: m.job, message: err instanceof Error ? err.message : String(err) });
  } finally {
    controllers.delete(m.job);
  }
}

port.on('message', (m: ToFit) => {
  if (m.type === 'features') held = { x: m.x, d: m.d };
  else if (m.type === 'cancel') controllers.get(m.job)?.abort(new Error('cancelled'));
  else {
    controllers.set(m.job, new AbortController());
    // The features as they were when the job was asked for, whatever arrives while it waits.
    const features = held;
    queue = queue.then(() => run(m, features));
  }
});
