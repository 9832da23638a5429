// Runs an exported ONNX model on ONNX Runtime: the fast path for frozen inference
// (features and split-point caches, evaluation, predict). The native library is loaded
// on first use, not at import, so a machine where it cannot load gets a typed error and
// the caller falls back to tfjs.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';

export type OnnxProvider = 'cuda' | 'cpu';

export interface OnnxOptions {
  /** Intra-op threads; default every core (os.availableParallelism()). */
  threads?: number;
  /** Try the CUDA provider first; its failure is kept in `rejected`. */
  cuda?: boolean;
}

export interface OnnxModel {
  /** One NHWC float batch in, the first output out. */
  run(input: Float32Array, shape: number[]): Promise<Float32Array>;
  dispose(): Promise<void>;
  provider: OnnxProvider;
  /** Intra-op threads the session runs with. */
  threads: number;
  /** Providers tried before this one, and why each failed. */
  rejected: Array<{ provider: OnnxProvider; reason: string }>;
  inputName: string;
  outputName: string;
}

/** ONNX Runtime could not be loaded or could not open the model: use tfjs instead. */
export class OnnxUnavailableError extends Error {
  override name = 'OnnxUnavailableError';
}

const require = createRequire(import.meta.url);
let loaded: typeof Ort | null = null;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}

/** `pkg` is for tests: a package that cannot load shows the error callers get. */
export function loadOrt(pkg = 'onnxruntime-node'): typeof Ort {
  if (loaded && pkg === 'onnxruntime-node') return loaded;
  let ort: typeof Ort;
  try {
    ort = require(pkg) as typeof Ort;
  } catch (err) {
    throw new OnnxUnavailableError(`${pkg} cannot load here: ${firstLine(err)}`);
  }
  if (pkg === 'onnxruntime-node') loaded = ort;
  return ort;
}

/**
 * The CUDA provider is a separate library that onnxruntime-node's install script
 * downloads (denied here: it needs the network). Looked for first, so its absence is a
 * plain reason rather than an error ORT prints on stderr.
 */
function cudaLibraryMissing(): string | null {
  const bin = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin');
  const dirs = existsSync(bin) ? readdirSync(bin).map((napi) => join(bin, napi, process.platform, process.arch)) : [];
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (dirs.some((d) => existsSync(join(d, lib)))) return null;
  return `the CUDA provider library (${lib}) is not installed; onnxruntime-node's install script downloads it on a networked machine`;
}

async function create(
  ort: typeof Ort,
  model: Uint8Array | string,
  provider: OnnxProvider,
  threads: number,
): Promise<Ort.InferenceSession> {
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}

async function openSession(
  model: Uint8Array | string,
  opts: OnnxOptions,
): Promise<{
  session: Ort.InferenceSession;
  provider: OnnxProvider;
  threads: number;
  rejected: OnnxModel['rejected'];
}> {
  const ort = loadOrt();
  const threads = opts.threads ?? availableParallelism();
  const rejected: OnnxModel['rejected'] = [];
  for (const provider of opts.cuda ? (['cuda', 'cpu'] as const) : (['cpu'] as const)) {
    const missing = provider === 'cuda' ? cudaLibraryMissing() : null;
    if (missing) {
      rejected.push({ provider, reason: missing });
      continue;
    }
    try {
      return { session: await create(ort, model, provider, threads), provider, threads, rejected };
    } catch (err) {
      rejected.push({ provider, reason: firstLine(err) });
    }
  }
  throw new OnnxUnavailableError(
    `ONNX Runtime could not open the model: ${rejected.map((r) => `${r.provider}: ${r.reason}`).join('; ')}`,
  );
}

export async function openOnnx(model: Uint8Array | string, opts: OnnxOptions = {}): Promise<OnnxModel> {
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new Error(`openOnnx: threads must be a positive integer, got ${opts.threads}`);
  }
  const { session, provider, threads, rejected } = await openSession(model, opts);
  const ort = loadOrt();
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  return {
    provider,
    threads,
    rejected,
    inputName,
    outputName,
    async run(input, shape) {
      const expected = shape.reduce((a, b) => a * b, 1);
      if (input.length !== expected)
        throw new Error(`onnx run: ${input.length} values do not fill shape [${shape.join(', ')}]`);
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input, shape) });
      return out[outputName]!.data as Float32Array;
    },
    dispose: () => session.release(),
  };
}
