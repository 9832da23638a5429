// The system check, behind `studio doctor` and the System page (not the training doctor,
// which reads runs): which runtime trains and which runs the
// frozen backbone on this machine, what did not load and why. The training ladder is
// probed through selectBackend itself, so the reasons are the ones a run stores; the
// backend active before is restored, so asking never changes what the process runs on.
// ONNX Runtime is probed with a one-node graph through openOnnx, as frozen inference opens it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { SystemCheckReport, GpuStackCheck, Rung, RungState } from '../../../src-shared/system';
import { selectBackend, type BackendName } from '../../../src-node-shared/backend';
import { adapterLine } from '../../../src-node-shared/webgpu/adapter';
import { stopWebGpu } from '../../../src-node-shared/webgpu/device';
import { cachedWeights, modelCacheDir } from '../../../src-node-shared/backbones/model-cache';
import { onnx, valueInfo } from '../../../src-node-shared/onnx/graph';
import { loadOrt, openOnnx } from '../../../src-node-shared/onnx/runtime';
import {
  GPU_STACKS,
  checkStack,
  cpuInfo,
  cudaToolkits,
  libtensorflowVersion,
  machineCuda,
  type Exec,
} from '../../../src-node-shared/system-probe';

const require = createRequire(import.meta.url);

const TRAINING: ReadonlyArray<{ name: BackendName; label: string }> = [
  { name: 'tensorflow-gpu', label: '@tensorflow/tfjs-node-gpu (libtensorflow with CUDA)' },
  { name: 'webgpu', label: 'WebGPU through Dawn (the webgpu package: Vulkan, Metal or D3D12; no CUDA)' },
  { name: 'tensorflow', label: '@tensorflow/tfjs-node (libtensorflow on the CPU)' },
  { name: 'wasm', label: '@tensorflow/tfjs-backend-wasm (WebAssembly)' },
  { name: 'cpu', label: 'tfjs cpu backend (plain JavaScript)' },
];

const rung = (
  id: string,
  label: string,
  state: RungState,
  reason: string | null,
  detail: string | null = null,
): Rung => ({ id, label, state, reason, detail, chosen: false });

/** The first rung that runs is the one work takes. */
function markChosen(rungs: Rung[]): Rung[] {
  const first = rungs.findIndex((r) => r.state === 'ok' || r.state === 'degraded');
  return rungs.map((r, i) => ({ ...r, chosen: i === first }));
}

/** A package's package.json, also for packages whose `exports` hide it (sharp). */
function packageJson(pkg: string): { version: string; dir: string } | null {
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    try {
      dir = dirname(require.resolve(pkg));
    } catch {
      return null;
    }
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
    if (json.name === pkg) return { version: json.version, dir };
  }
  return null;
}

export function pkgVersion(pkg: string): string | null {
  return packageJson(pkg)?.version ?? null;
}

async function probeBackend(name: BackendName): Promise<{ ok: boolean; reason: string | null; detail?: string }> {
  try {
    const choice = await selectBackend({ prefer: name });
    if (choice.name === name && choice.adapter)
      return {
        ok: true,
        reason: null,
        detail: `${adapterLine(choice.adapter)}; parity probe against cpu ${choice.parity?.toExponential(1)}`,
      };
    if (choice.name === name) return { ok: true, reason: null };
    return { ok: false, reason: choice.rejected.find((r) => r.name === name)?.reason ?? 'did not load' };
  } catch (err) {
    return { ok: false, reason: (err as Error).message.split('\n')[0]! };
  }
}

/** Each training rung, loaded or not and why; `gpuStack` says whether a loaded GPU build can reach CUDA. */
export async function probeTraining(gpuStack: GpuStackCheck): Promise<Rung[]> {
  const before = tf.engine().backendName as string | undefined;
  const rungs: Rung[] = [];
  try {
    for (const { name, label } of TRAINING) {
      if (name === 'tensorflow' && rungs[0]?.state !== 'not available') {
        rungs.push(
          rung(
            name,
            label,
            'not tried',
            'tfjs-node-gpu already provides the tensorflow backend in this process; the two cannot both load',
          ),
        );
        continue;
      }
      const { ok, reason, detail } = await probeBackend(name);
      if (!ok) rungs.push(rung(name, label, 'not available', reason));
      else if (detail) rungs.push(rung(name, label, 'ok', null, detail));
      else if (name === 'tensorflow-gpu' && gpuStack.problems.length)
        rungs.push(
          rung(name, label, 'degraded', `loads, but TensorFlow will run on the CPU: ${gpuStack.problems.join('; ')}`),
        );
      else rungs.push(rung(name, label, 'ok', null));
    }
  } finally {
    if (before && tf.engine().backendName !== before) await tf.setBackend(before);
    // While the Dawn device is open, Node does not exit.
    if (before !== 'webgpu') stopWebGpu();
  }
  return markChosen(rungs);
}

/** A one-node graph (Relu over 4 floats): enough to prove a provider opens and runs. */
export function probeModel(): Uint8Array {
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'finetune-studio doctor',
    graph: {
      name: 'probe',
      node: [{ opType: 'Relu', input: ['x'], output: ['y'], name: 'relu' }],
      input: [valueInfo('x', [1, 4])],
      output: [valueInfo('y', [1, 4])],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

async function probeProvider(cuda: boolean, threads: number): Promise<{ state: RungState; reason: string | null }> {
  let session;
  try {
    session = await openOnnx(probeModel(), { cuda, threads });
  } catch (err) {
    return { state: 'not available', reason: (err as Error).message.split('\n')[0]! };
  }
  try {
    if (cuda && session.provider !== 'cuda')
      return {
        state: 'not available',
        reason: session.rejected.find((r) => r.provider === 'cuda')?.reason ?? 'the CUDA provider did not open',
      };
    const out = await session.run(new Float32Array([-1, 2, -3, 4]), [1, 4]);
    const right = [0, 2, 0, 4].every((v, i) => out[i] === v);
    return right
      ? { state: 'ok', reason: null }
      : { state: 'not available', reason: `the probe graph gave [${Array.from(out).join(', ')}], not [0, 2, 0, 4]` };
  } finally {
    await session.dispose();
  }
}

/** ORT with CUDA, ORT on the CPU, then tfjs on whatever the training ladder chose. */
export async function probeInference(training: Rung[], threads = availableParallelism()): Promise<Rung[]> {
  const ortVersion = pkgVersion('onnxruntime-node');
  const cudaLabel = 'onnxruntime-node, CUDA execution provider';
  const cpuLabel = 'onnxruntime-node, CPU execution provider';
  const tfjs = training.map((r) => ({ ...rung(`tfjs-${r.id}`, `tfjs on ${r.label}`, r.state, r.reason, r.detail) }));
  if (process.env.STUDIO_INFERENCE === 'tfjs') {
    const why = 'STUDIO_INFERENCE=tfjs: frozen inference skips ONNX Runtime';
    return markChosen([
      rung('onnxruntime-cuda', cudaLabel, 'not tried', why),
      rung('onnxruntime-cpu', cpuLabel, 'not tried', why),
      ...tfjs,
    ]);
  }
  const cuda = await probeProvider(true, 1);
  const cpu = await probeProvider(false, threads);
  let native: string | null = null;
  try {
    native = loadOrt().env.versions.node ?? null;
  } catch {
    // the CPU rung already says why ORT cannot load
  }
  const detail = `onnxruntime-node ${ortVersion ?? '?'}${native ? ` (native ${native})` : ''}, ${threads} threads`;
  return markChosen([
    rung('onnxruntime-cuda', cudaLabel, cuda.state, cuda.reason),
    rung('onnxruntime-cpu', cpuLabel, cpu.state, cpu.reason, detail),
    ...tfjs,
  ]);
}

export function versions(): Record<string, string | null> {
  const pkgs = [
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgpu',
    'webgpu',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    'onnxruntime-node',
    'sharp',
  ];
  return {
    node: process.versions.node,
    'electron (this process)': process.versions.electron ?? null,
    'electron (installed package)': pkgVersion('electron'),
    tfjs: tf.version.tfjs,
    ...Object.fromEntries(pkgs.map((p) => [p, pkgVersion(p)])),
    'libtensorflow (tfjs-node-gpu fetches)': libtensorflowVersion(),
  };
}

export interface SystemCheckOptions {
  /** The model cache to list (the studio passes its own); default as the backbones service. */
  modelCacheDir?: string;
  exec?: Exec;
}

export async function runSystemCheck(opts: SystemCheckOptions = {}): Promise<SystemCheckReport> {
  const machine = machineCuda(opts.exec);
  const stacks = GPU_STACKS.map((s) => checkStack(s, machine));
  const training = await probeTraining(stacks.find((s) => s.id === 'tfjs-node-gpu')!);
  const inference = await probeInference(training);
  const dir = opts.modelCacheDir ?? modelCacheDir();
  return {
    generatedAt: new Date().toISOString(),
    training,
    inference,
    devices: { gpus: machine.gpus, note: machine.note },
    cuda: { toolkits: cudaToolkits(), ldLibraryPath: machine.searchPath, stacks },
    cpu: cpuInfo(),
    memory: { totalBytes: totalmem(), freeBytes: freemem() },
    modelCache: {
      dir,
      files: existsSync(dir)
        ? cachedWeights(dir).map((w) => ({ file: w.file, bytes: w.bytes, source: w.source, sha256: w.sha256 }))
        : [],
    },
    versions: versions(),
  };
}
