// What `studio doctor` and the About / System panel show: for training and for frozen
// inference, each rung of the runtime ladder with its state and the reason, the devices
// and CUDA libraries the machine has against what each GPU stack needs, the CPU, memory,
// the model cache and the versions. One schema, so the CLI and the UI say the same thing.
import { z } from 'zod';

/**
 * ok: loads and runs here. degraded: loads but will not do what its name says (the GPU
 * build of libtensorflow without CUDA runs on the CPU). not available: failed, with the
 * reason. not tried: a rung that cannot be probed here (e.g. after another one took its place).
 */
export const RungState = z.enum(['ok', 'degraded', 'not available', 'not tried']);
export type RungState = z.infer<typeof RungState>;

export const Rung = z.object({
  /** 'tensorflow-gpu', 'onnxruntime-cpu', 'tfjs-wasm', ... */
  id: z.string(),
  label: z.string(),
  state: RungState,
  /** Why it is not ok; null when it is. */
  reason: z.string().nullable(),
  /** Version, threads, what it runs on. */
  detail: z.string().nullable(),
  /** The rung a run takes: the first that is ok or degraded. */
  chosen: z.boolean(),
});
export type Rung = z.infer<typeof Rung>;

export const GpuInfo = z.object({
  index: z.number().int(),
  name: z.string(),
  driver: z.string(),
  memoryMiB: z.number().nullable(),
});
export type GpuInfo = z.infer<typeof GpuInfo>;

export const CudaToolkit = z.object({ path: z.string(), version: z.string().nullable() });

export const CudaLibrary = z.object({
  soname: z.string(),
  /** Where the dynamic loader would find it; null when missing. */
  path: z.string().nullable(),
});

/** One GPU stack (libtensorflow for training, ORT's CUDA provider for inference) against the machine. */
export const GpuStackCheck = z.object({
  id: z.enum(['tfjs-node-gpu', 'onnxruntime-cuda']),
  label: z.string(),
  cuda: z.string(),
  cudnn: z.string(),
  minDriver: z.string(),
  libraries: z.array(CudaLibrary),
  /** Plain sentences: what is missing and what to do; empty when nothing is. */
  problems: z.array(z.string()),
});
export type GpuStackCheck = z.infer<typeof GpuStackCheck>;

export const SystemCheckReport = z.object({
  /** ISO 8601. */
  generatedAt: z.string(),
  training: z.array(Rung),
  inference: z.array(Rung),
  devices: z.object({
    gpus: z.array(GpuInfo),
    /** Why no GPU is listed ("no NVIDIA GPU: nvidia-smi not found"); null when some are. */
    note: z.string().nullable(),
  }),
  cuda: z.object({
    toolkits: z.array(CudaToolkit),
    ldLibraryPath: z.array(z.string()),
    stacks: z.array(GpuStackCheck),
  }),
  cpu: z.object({
    model: z.string(),
    cores: z.number().int(),
    /** Widest float FMA the cores have: 'AVX-512', 'AVX2 + FMA', 'AVX (no FMA)', 'SSE', or 'unknown'. */
    simd: z.string(),
    /** Float32 lanes of one vector FMA (16 for AVX-512, 8 for AVX2); null without FMA. */
    fmaLanes: z.number().int().nullable(),
  }),
  memory: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
  modelCache: z.object({
    dir: z.string(),
    files: z.array(z.object({ file: z.string(), bytes: z.number(), source: z.string(), sha256: z.string() })),
  }),
  /** node, electron, tfjs, onnxruntime-node, ...; null when not installed or not running. */
  versions: z.record(z.string(), z.string().nullable()),
});
export type SystemCheckReport = z.infer<typeof SystemCheckReport>;
