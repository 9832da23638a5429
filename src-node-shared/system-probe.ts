// What the machine has for the GPU stacks, and what each stack needs. libtensorflow 2.9.1
// (tfjs-node-gpu 4.x) is built against CUDA 11.2 and cuDNN 8.1, ORT 1.2x/1.30's CUDA
// provider against CUDA 12 and cuDNN 9; neither loads another major version. Both dlopen
// their CUDA libraries by soname, so what counts is what the dynamic loader finds: the
// ld.so cache and LD_LIBRARY_PATH. A missing libcudart.so.11.0 does not stop
// tfjs-node-gpu from loading: TensorFlow logs it and trains on the CPU, which is why
// the doctor and `npm run setup:gpu` look for the files themselves.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { GpuInfo, GpuStackCheck } from '../src-shared/system';

const require = createRequire(import.meta.url);

/** The libtensorflow version tfjs-node(-gpu)'s install script fetches (its scripts/deps-constants.js). */
export function libtensorflowVersion(pkg = '@tensorflow/tfjs-node-gpu'): string | null {
  try {
    const file = join(dirname(require.resolve(`${pkg}/package.json`)), 'scripts', 'deps-constants.js');
    return /LIBTENSORFLOW_VERSION\s*=\s*'([^']+)'/.exec(readFileSync(file, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Runs a command and returns its stdout; throws (code ENOENT when it is not installed). */
export type Exec = (cmd: string, args: string[]) => string;

export const execCommand: Exec = (cmd, args) =>
  execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });

interface StackNeeds {
  id: GpuStackCheck['id'];
  label: string;
  cuda: string;
  cudnn: string;
  /** The oldest Linux driver the CUDA major version runs on. */
  minDriver: string;
  /** The sonames the stack dlopens; cuDNN last. */
  libraries: string[];
  install: string;
}

export const GPU_STACKS: readonly StackNeeds[] = [
  {
    id: 'tfjs-node-gpu',
    label: 'libtensorflow 2.9.1 (@tensorflow/tfjs-node-gpu 4.x), for training',
    cuda: '11.2',
    cudnn: '8.1',
    minDriver: '450.80.02',
    libraries: [
      'libcudart.so.11.0',
      'libcublas.so.11',
      'libcublasLt.so.11',
      'libcufft.so.10',
      'libcurand.so.10',
      'libcusolver.so.11',
      'libcusparse.so.11',
      'libcudnn.so.8',
    ],
    install:
      "install the CUDA 11.2 runtime libraries and cuDNN 8.1 (NVIDIA's cuda-libraries-11-2 and libcudnn8 packages, or conda's cudatoolkit=11.2 cudnn=8.1) and put their lib folder on LD_LIBRARY_PATH",
  },
  {
    id: 'onnxruntime-cuda',
    label: "ONNX Runtime's CUDA provider (onnxruntime-node 1.2x), for frozen inference",
    cuda: '12.x',
    cudnn: '9.x',
    minDriver: '525.60.13',
    libraries: [
      'libcudart.so.12',
      'libcublas.so.12',
      'libcublasLt.so.12',
      'libcufft.so.11',
      'libcurand.so.10',
      'libcudnn.so.9',
    ],
    install:
      "install the CUDA 12 runtime libraries and cuDNN 9 (NVIDIA's cuda-libraries-12-x and libcudnn9-cuda-12 packages, or pip's nvidia-cuda-runtime-cu12, nvidia-cublas-cu12, nvidia-cudnn-cu12) and put their lib folder on LD_LIBRARY_PATH",
  },
];

/** `nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader,nounits` */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  return csv
    .split('\n')
    .map((line) => line.split(',').map((cell) => cell.trim()))
    .filter((cells) => cells.length >= 3 && /^\d+$/.test(cells[0]!))
    .map(([index, name, driver, memory]) => ({
      index: Number(index),
      name: name!,
      driver: driver!,
      memoryMiB: memory && /^\d+(\.\d+)?$/.test(memory) ? Number(memory) : null,
    }));
}

export function nvidiaGpus(exec: Exec = execCommand): { gpus: GpuInfo[]; note: string | null } {
  let out: string;
  try {
    out = exec('nvidia-smi', ['--query-gpu=index,name,driver_version,memory.total', '--format=csv,noheader,nounits']);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return { gpus: [], note: 'no NVIDIA GPU: nvidia-smi not found' };
    const said = (e.stderr || e.message || '').trim().split('\n')[0];
    return { gpus: [], note: `no NVIDIA GPU usable: nvidia-smi failed (${said})` };
  }
  const gpus = parseNvidiaSmi(out);
  return { gpus, note: gpus.length ? null : 'no NVIDIA GPU: nvidia-smi lists none' };
}

/** `ldconfig -p`: soname -> path, for the machine's architecture (x86-64 on x64). */
export function parseLdconfig(text: string, arch = process.arch): Map<string, string> {
  const libs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, soname, tags, path] = m;
    if (arch === 'x64' && !tags!.includes('x86-64')) continue;
    if (!libs.has(soname!)) libs.set(soname!, path!);
  }
  return libs;
}

/** ldconfig lives in /sbin, which a user's PATH often lacks. */
export function ldCache(exec: Exec = execCommand): Map<string, string> {
  for (const cmd of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      return parseLdconfig(exec(cmd, ['-p']));
    } catch {
      // the next candidate
    }
  }
  return new Map();
}

export function ldLibraryPath(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
}

/** The dynamic loader searches LD_LIBRARY_PATH before its cache. */
export function findLibrary(soname: string, cache: Map<string, string>, searchPath: string[]): string | null {
  for (const dir of searchPath) if (existsSync(join(dir, soname))) return join(dir, soname);
  return cache.get(soname) ?? null;
}

/** /usr/local/cuda-* folders with the version from version.json, else from the folder's name. */
export function cudaToolkits(root = '/usr/local'): Array<{ path: string; version: string | null }> {
  let names: string[];
  try {
    names = readdirSync(root)
      .filter((n) => /^cuda(-\d+(\.\d+)*)?$/.test(n))
      .sort();
  } catch {
    return [];
  }
  return names.map((n) => {
    const path = join(root, n);
    // /usr/local/cuda is usually a link to the versioned folder.
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // a dangling link: no version
    }
    let version: string | null = null;
    try {
      version =
        (JSON.parse(readFileSync(join(real, 'version.json'), 'utf8')) as { cuda?: { version?: string } }).cuda
          ?.version ?? null;
    } catch {
      version = /^cuda-(\d+(?:\.\d+)*)$/.exec(basename(real))?.[1] ?? null;
    }
    return { path: real === path ? path : `${path} -> ${real}`, version };
  });
}

/** Dotted version comparison: '535.104.05' >= '525.60.13'. */
export function versionAtLeast(have: string, want: string): boolean {
  const a = have.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export interface MachineCuda {
  gpus: GpuInfo[];
  cache: Map<string, string>;
  searchPath: string[];
}

export function checkStack(needs: StackNeeds, m: MachineCuda): GpuStackCheck {
  const libraries = needs.libraries.map((soname) => ({ soname, path: findLibrary(soname, m.cache, m.searchPath) }));
  const missing = libraries.filter((l) => !l.path).map((l) => l.soname);
  const problems: string[] = [];
  if (m.gpus.length === 0) problems.push('no NVIDIA GPU is visible (nvidia-smi), so this stack cannot use one here');
  const driver = m.gpus[0]?.driver;
  if (driver && !versionAtLeast(driver, needs.minDriver))
    problems.push(
      `the NVIDIA driver ${driver} is older than ${needs.minDriver}, the oldest CUDA ${needs.cuda} runs on: update the driver`,
    );
  const cudart = needs.libraries[0]!;
  const others = otherCudart(m, cudart);
  if (missing.includes(cudart) && others.length)
    problems.push(
      `found ${others.join(', ')}, but ${needs.label} is linked against ${cudart} (CUDA ${needs.cuda}); another major version does not do, though both can be installed side by side`,
    );
  if (missing.length) {
    const what =
      missing.some((s) => s.startsWith('libcudnn')) && missing.length === 1
        ? `cuDNN ${needs.cudnn}`
        : `CUDA ${needs.cuda} and cuDNN ${needs.cudnn}`;
    problems.push(
      `${missing.join(', ')} not found (ld.so cache and LD_LIBRARY_PATH): ${needs.label} needs ${what}; ${needs.install}`,
    );
  }
  return {
    id: needs.id,
    label: needs.label,
    cuda: needs.cuda,
    cudnn: needs.cudnn,
    minDriver: needs.minDriver,
    libraries,
    problems,
  };
}

/** libcudart.so.N of other CUDA majors the loader can find: a common reason the right one is "missing". */
function otherCudart(m: MachineCuda, wanted: string): string[] {
  const names = new Set([...m.cache.keys()]);
  for (const dir of m.searchPath) {
    try {
      for (const n of readdirSync(dir)) names.add(n);
    } catch {
      // a folder on LD_LIBRARY_PATH that is not there
    }
  }
  return [...names].filter((n) => /^libcudart\.so\.\d+(\.\d+)*$/.test(n) && n !== wanted).sort();
}

export function machineCuda(
  exec: Exec = execCommand,
  env: NodeJS.ProcessEnv = process.env,
): MachineCuda & { note: string | null } {
  const { gpus, note } = nvidiaGpus(exec);
  return { gpus, note, cache: ldCache(exec), searchPath: ldLibraryPath(env) };
}

/** The widest float FMA among /proc/cpuinfo's flags. */
export function simdFromFlags(flags: Set<string>): { simd: string; fmaLanes: number | null } {
  if (flags.has('avx512f')) return { simd: 'AVX-512', fmaLanes: 16 };
  if (flags.has('avx2') && flags.has('fma')) return { simd: 'AVX2 + FMA', fmaLanes: 8 };
  if (flags.has('avx')) return { simd: 'AVX (no FMA)', fmaLanes: null };
  if (flags.has('sse2') || flags.has('sse4_2')) return { simd: 'SSE', fmaLanes: null };
  return { simd: 'unknown', fmaLanes: null };
}

export function cpuInfo(cpuinfo = '/proc/cpuinfo'): {
  model: string;
  cores: number;
  simd: string;
  fmaLanes: number | null;
} {
  let flags = new Set<string>();
  try {
    const line = readFileSync(cpuinfo, 'utf8')
      .split('\n')
      .find((l) => /^flags\s*:/.test(l));
    if (line) flags = new Set(line.split(':')[1]!.trim().split(/\s+/));
  } catch {
    // not Linux: the SIMD width stays unknown
  }
  return { model: cpus()[0]?.model.trim() ?? 'unknown', cores: availableParallelism(), ...simdFromFlags(flags) };
}
