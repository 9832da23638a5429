// The main process's side of the assistant's fitting thread (fit-worker.ts). One thread per
// open project, started at the first reduction or training and kept while the project is
// open, so a refit pays neither the thread's start nor the features' copy. A cancel reaches the thread as a
// message (it stops at its next L-BFGS iteration) and rejects at once here; whatever the
// thread still answers for that job is dropped, so nothing stale lands.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromFit, ToFit } from './fit-protocol';
import type { AssistInput, AssistOutput } from './model/assistant';
import type { Features } from './model/softmax';

type TrainInput = Omit<AssistInput, 'features' | 'signal' | 'onFit' | 'cvCap'>;

type Done = Extract<FromFit, { type: 'trained' | 'reduced' }>;

interface Pending {
  resolve: (out: Done) => void;
  reject: (err: Error) => void;
  onFit?: (done: number, total: number) => void;
}

/**
 * The thread's script. From the sources (tests, benches) a worker does not inherit tsx's
 * hooks, so it registers them first. From a bundle, dist/assist/fit-worker.cjs beside the
 * entry's folder (dist/electron, dist/server, dist/cli, dist/test) is read and evaluated:
 * Electron's fs reads inside app.asar, whereas a worker's script path inside it is not
 * something Node's loader knows, so the package needs no unpacked copy.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = new URL('./fit-worker.ts', here).href;
    const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(url)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(readFileSync(fileURLToPath(new URL('../assist/fit-worker.cjs', here)), 'utf8'), { eval: true });
}

export class FitThread {
  #worker: Worker | null = null;
  /** The features the thread holds (by identity: the feature store keeps one block per set of images). */
  #sent: Float32Array | null = null;
  readonly #jobs = new Map<number, Pending>();
  #next = 1;

  /** One training (cross-validation, fit, prediction) in the thread. */
  async train(
    features: Features,
    input: TrainInput,
    opts: { signal?: AbortSignal; onFit?: (done: number, total: number) => void } = {},
  ): Promise<AssistOutput> {
    if (opts.signal?.aborted) throw reason(opts.signal);
    this.#ensure();
    if (this.#sent !== features.x) {
      this.#post({ type: 'features', x: features.x, d: features.d });
      this.#sent = features.x;
    }
    const { labels, k, seed, lambda, warm } = input;
    const out = await this.#ask((job) => ({ type: 'train', job, labels, k, seed, lambda, warm }), opts);
    if (out.type !== 'trained') throw new Error(`its fitting thread answered ${out.type} to a training`);
    const { model, cv, cvRows, folds, probs } = out;
    return { model, cv, cvRows, folds, probs };
  }

  /** Standardises `raw` (rows of `blocks` values) and reduces it to r components in the thread; `raw` moves there, unusable here after. */
  async reduce(
    raw: Float32Array,
    blocks: readonly number[],
    r: number | null,
    signal?: AbortSignal,
  ): Promise<Features> {
    if (signal?.aborted) throw reason(signal);
    this.#ensure();
    const out = await this.#ask((job) => ({ type: 'reduce', job, raw, blocks: [...blocks], r }), { signal }, [
      raw.buffer as ArrayBuffer,
    ]);
    if (out.type !== 'reduced') throw new Error(`its fitting thread answered ${out.type} to a reduction`);
    return { x: out.x, d: out.d };
  }

  #ask(
    make: (job: number) => ToFit,
    opts: { signal?: AbortSignal; onFit?: (done: number, total: number) => void },
    transfer: ArrayBuffer[] = [],
  ): Promise<Done> {
    const { signal } = opts;
    const job = this.#next++;
    return new Promise<Done>((resolve, reject) => {
      const stop = () => {
        this.#settle(job);
        this.#post({ type: 'cancel', job });
        reject(reason(signal!));
      };
      signal?.addEventListener('abort', stop, { once: true });
      const done = () => signal?.removeEventListener('abort', stop);
      this.#jobs.set(job, {
        resolve: (out) => (done(), resolve(out)),
        reject: (err) => (done(), reject(err)),
        onFit: opts.onFit,
      });
      this.#worker!.ref();
      this.#post(make(job), transfer);
    });
  }

  /** Ends the thread; a training under way fails with a message. */
  close(): void {
    const worker = this.#worker;
    this.#worker = null;
    this.#sent = null;
    this.#failAll(new Error('the project was closed'));
    void worker?.terminate();
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker();
    worker.on('message', (m: FromFit) => this.#take(m));
    const lost = (err: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#sent = null;
      this.#failAll(new Error(`its fitting thread stopped (${err.message})`));
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #post(m: ToFit, transfer: ArrayBuffer[] = []): void {
    this.#worker?.postMessage(m, transfer);
  }

  #take(m: FromFit): void {
    const pending = this.#jobs.get(m.job);
    if (!pending) return;
    if (m.type === 'progress') return pending.onFit?.(m.done, m.total);
    this.#settle(m.job);
    if (m.type === 'failed') return pending.reject(new Error(m.message));
    pending.resolve(m);
  }

  /** Forgets a job; with none left the thread no longer keeps the process alive (a command can end). */
  #settle(job: number): void {
    this.#jobs.delete(job);
    if (this.#jobs.size === 0) this.#worker?.unref();
  }

  #failAll(err: Error): void {
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    for (const p of jobs) p.reject(err);
  }
}

function reason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}
