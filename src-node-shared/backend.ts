// Chooses the TensorFlow.js backend at run time, best first. The native bindings are
// optional dependencies whose install may have been skipped, so each candidate is tried
// and its failure kept as a reason the UI can show and the run can store.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerWasmGradKernels } from './wasm/wasm-grad-kernels';
import { installFastGradients } from './wasm/fast-grads';
import { installHeapKernels } from './wasm/heap-kernels';
import { startThreadedWasm } from './wasm/threaded';
import type { AdapterRecord } from './webgpu/adapter';
import { assertWebGpuHealthy, startWebGpu, stopWebGpu } from './webgpu/device';
import { webGpuParity } from './webgpu/parity';
import type { BackendName } from '../src-shared/engine-protocol';

// The names are the protocol's: a run stores the one it trained on.
export type { BackendName };

export interface Rejected {
  name: BackendName;
  reason: string;
}

export interface BackendChoice {
  name: BackendName;
  /** The tfjs backend id now active (`tensorflow` for both native packages). */
  tfBackend: string;
  rejected: Rejected[];
  versions: Record<string, string>;
  /** The webgpu rung only: the adapter it trains on, and its parity probe's largest relative difference. */
  adapter?: AdapterRecord;
  parity?: number;
}

const require = createRequire(import.meta.url);

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.trim();
}

/**
 * The addon is built or downloaded by the package's install script; when that was
 * skipped, requiring the package half-registers its kernels before failing, so the
 * file is looked for first.
 */
function nativeAddon(pkg: string): string | null {
  const lib = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib');
  if (!existsSync(lib)) return null;
  for (const dir of readdirSync(lib)) {
    const file = join(lib, dir, 'tfjs_binding.node');
    if (existsSync(file)) return file;
  }
  return null;
}

async function tryNative(pkg: string): Promise<void> {
  let found: string | null;
  try {
    found = nativeAddon(pkg);
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  if (!found)
    throw new Error(
      `${pkg} is installed without its native addon (lib/napi-v*/tfjs_binding.node); its install script must run on a networked machine`,
    );
  require(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not initialise`);
}

/** The .wasm files ship inside the package; Node must be told where, or it looks next to the script. */
export function wasmDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

/** Threads the wasm rung asks for: STUDIO_WASM_THREADS, else what `wasmThreadsDefault` says. */
export function wasmThreadsWanted(): number {
  const env = process.env.STUDIO_WASM_THREADS;
  if (env === undefined || env === '') return wasmThreadsDefault();
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`STUDIO_WASM_THREADS must be a whole number of threads, at least 1; got "${env}"`);
  return n;
}

/**
 * One thread: the cores go to phase 2's data-parallel step instead (src-training/parallel),
 * whose busiest thread does 0.57-0.59 of the one-thread step's work where the threaded
 * build's does 0.80-0.86 (bench/cpu-step, bench/README.md), so the threaded build stays opt-in.
 */
function wasmThreadsDefault(): number {
  return 1;
}

/** What the wasm rung started with: its thread count, and why it has fewer than asked. */
let wasmThreads: { threads: number; note?: string } = { threads: 1 };

/**
 * The threaded build when more than one thread is asked for; when it cannot start, the
 * plain one, with the reason kept. Either way the grad kernels wasm lacks are added.
 */
async function tryWasm(threads: number): Promise<void> {
  setWasmPaths(join(wasmDir(), '/'));
  wasmThreads = { threads: 1 };
  if (threads > 1) {
    const plain = tf.engine().registryFactory.wasm;
    try {
      wasmThreads = { threads: await startThreadedWasm(threads) };
    } catch (err) {
      wasmThreads = { threads: 1, note: `threaded build refused: ${firstLine(err)}` };
      tf.removeBackend('wasm');
      if (plain) tf.registerBackend('wasm', plain.factory, plain.priority);
    }
  }
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm')))
    throw new Error('the wasm backend did not initialise');
  registerWasmGradKernels();
  installFastGradients();
  installHeapKernels();
}

let webGpu: { adapter: AdapterRecord; parity: number } | null = null;

/** The device must agree with the cpu backend on a small batch before anything trains on it. */
async function tryWebGpu(): Promise<void> {
  try {
    const adapter = await startWebGpu();
    const parity = await webGpuParity();
    assertWebGpuHealthy();
    webGpu = { adapter, parity };
  } catch (err) {
    stopWebGpu();
    throw err;
  }
}

/**
 * tfjs' cpu backend greets its first tensor in Node with a banner on stderr ("Hi, looks like
 * you are running TensorFlow.js in Node.js ... install our node backend"), printed by every
 * command that touches it. The studio chooses its backend itself and says which, so the
 * banner is only noise; it hangs on the backend's first-use flag, which is marked used.
 */
function quietCpu(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

async function tryCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  quietCpu();
}

const candidates: Array<{ name: BackendName; load: (opts: SelectOptions) => Promise<void> }> = [
  { name: 'tensorflow-gpu', load: () => tryNative('@tensorflow/tfjs-node-gpu') },
  { name: 'webgpu', load: tryWebGpu },
  { name: 'tensorflow', load: () => tryNative('@tensorflow/tfjs-node') },
  { name: 'wasm', load: (opts) => tryWasm(opts.wasmThreads ?? wasmThreadsWanted()) },
  { name: 'cpu', load: tryCpu },
];

export interface SelectOptions {
  /** Skip candidates before this one (tests and benches pin a backend). */
  prefer?: BackendName;
  /** Candidates never to try, e.g. the native ones in a test that must stay quick. */
  exclude?: BackendName[];
  /** Threads for the wasm rung (default: `wasmThreadsWanted()`); 1 is the plain build. */
  wasmThreads?: number;
}

/** Activates the best backend that loads; throws only if even `cpu` fails. */
export async function selectBackend(opts: SelectOptions = {}): Promise<BackendChoice> {
  const rejected: Rejected[] = [];
  const start = opts.prefer ? candidates.findIndex((c) => c.name === opts.prefer) : 0;
  if (start < 0)
    throw new Error(
      `selectBackend: unknown backend "${opts.prefer}"; use one of ${candidates.map((c) => c.name).join(', ')}`,
    );
  for (const cand of candidates.slice(start)) {
    if (opts.exclude?.includes(cand.name)) continue;
    try {
      await cand.load(opts);
      const gpu = cand.name === 'webgpu' && webGpu ? webGpu : {};
      const v = versions();
      if (cand.name === 'wasm') {
        v.wasmThreads = String(wasmThreads.threads);
        if (wasmThreads.note) v.wasmThreadsNote = wasmThreads.note;
      }
      return { name: cand.name, tfBackend: tf.getBackend(), rejected, versions: v, ...gpu };
    } catch (err) {
      rejected.push({ name: cand.name, reason: firstLine(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${rejected.map((r) => `${r.name}: ${r.reason}`).join('; ')}`);
}

/** Throws when the active backend reported a fault (a WebGPU validation error, a lost device). */
export function assertBackendHealthy(): void {
  if (tf.getBackend() === 'webgpu') assertWebGpuHealthy();
}

/**
 * Light tfjs work outside the training process (an augmentation preview, checking a weight
 * file) runs on whatever backend is active, else cpu: importing the wasm package registers
 * it first in line, and using it before it is initialised throws.
 */
export async function ensureBackend(): Promise<void> {
  if (!tf.engine().backendName) await tf.setBackend('cpu');
  await tf.ready();
  quietCpu();
}

function versions(): Record<string, string> {
  return { tfjs: tf.version.tfjs, node: process.versions.node };
}
