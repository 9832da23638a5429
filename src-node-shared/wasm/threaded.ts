// tfjs-backend-wasm's threaded SIMD build, started in Node. The package ships it but never
// uses it in Node (its thread-support flag answers false there, tfjs issue 3830), and its own
// loader hands the pthread workers blob: URLs, which Node's worker_threads cannot start. So
// the Emscripten module is created here: the worker script and the module's script are
// written to files the workers can load, and the wasm is instantiated by us so that the
// core count it reads can be set. tfjs caps XNNPACK's pool at half the logical cores
// (hyper-threads), which is 1 on a 2-core machine; `threads` is what the caller measured
// to be worth having.
import * as tf from '@tensorflow/tfjs';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const STEM = 'tfjs-backend-wasm-threaded-simd';

interface EmscriptenWorker {
  unref(): void;
}

interface ThreadedModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;
  PThread: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] };
  tfjs?: Record<string, unknown>;
}

type Factory = (opts: Record<string, unknown>) => Promise<ThreadedModule>;

/** Written once per package version into the temp folder; a file is renamed into place whole. */
function writeOnce(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  if (existsSync(file)) return file;
  const part = `${file}.${process.pid}.tmp`;
  writeFileSync(part, text);
  renameSync(part, file);
  return file;
}

/**
 * The worker script, as tfjs would put it in a Blob (its template literal turned escaped
 * newlines into real ones; tfjs escapes them back), wrapped as a CommonJS file so that a
 * loader hook inherited by the worker (tsx in tests) does not have to parse it.
 */
function workerFiles(pkgOut: string): { worker: string; main: string } {
  const version = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  const { wasmWorkerContents } = require(join(pkgOut, `${STEM}.worker.js`)) as { wasmWorkerContents: string };
  const body = wasmWorkerContents.replace(/\n/g, '\\n');
  const mainText = readFileSync(join(pkgOut, `${STEM}.js`), 'utf8');
  const tag = createHash('sha256').update(body).update(mainText).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `finetune-studio-wasm-${version}-${tag}`);
  mkdirSync(dir, { recursive: true });
  const bodyFile = writeOnce(dir, 'worker-body.js', body);
  const loader =
    `require('vm').runInThisContext('(function (require, __filename) {' + ` +
    `require('fs').readFileSync(${JSON.stringify(bodyFile)}, 'utf8') + '\\n})')(require, __filename);\n`;
  return { worker: writeOnce(dir, 'worker.cjs', loader), main: writeOnce(dir, 'module.js', mainText) };
}

async function createModule(threads: number): Promise<ThreadedModule> {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available');
  const pkgOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const wasmBytes = readFileSync(join(pkgOut, `${STEM}.wasm`));
  const files = workerFiles(pkgOut);
  const factory = require(files.main) as Factory;
  const mod = await factory({
    locateFile: (f: string) => (f.endsWith('.worker.js') ? files.worker : join(pkgOut, f)),
    mainScriptUrlOrBlob: files.main,
    instantiateWasm: (
      info: { env: Record<string, unknown> },
      receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
    ) => {
      // tfjs' pool size is min(requested, cores / 2): report twice the threads wanted.
      info.env.emscripten_num_logical_cores = () => 2 * threads;
      void WebAssembly.instantiate(wasmBytes, info as WebAssembly.Imports).then((r) => receive(r.instance, r.module));
      return {};
    },
  });
  mod.tfjs = {
    init: mod.cwrap('init', null, []),
    initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
    registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: mod.cwrap('dispose_data', null, ['number']),
    dispose: mod.cwrap('dispose', null, []),
  };
  return mod;
}

/** Idle pool threads must not keep the process alive: they only work inside a kernel call. */
function unrefWorkers(mod: ThreadedModule): void {
  for (const w of [...mod.PThread.runningWorkers, ...mod.PThread.unusedWorkers]) w.unref();
}

/**
 * Replaces the registered `wasm` backend (not yet initialised) with the threaded build and
 * starts it. Resolves to the thread count XNNPACK really uses; throws with the reason when
 * the build cannot start, after which the caller may register the plain one again.
 */
export async function startThreadedWasm(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 2) throw new Error(`threaded wasm: threads must be >= 2, got ${threads}`);
  const mod = await createModule(threads);
  const { setThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => new BackendWasm(mod as never), 2);
  if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend did not initialise');
  unrefWorkers(mod);
  const got = (mod.tfjs!.getThreadsCount as () => number)();
  if (got !== threads) throw new Error(`threaded wasm started ${got} threads, not ${threads}`);
  return got;
}
