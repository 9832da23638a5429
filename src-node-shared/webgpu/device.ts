// WebGPU in the training process through Dawn's `webgpu` package (Vulkan, Metal or
// D3D12 underneath; no CUDA). tfjs' own registration of the backend asks for the default
// limits, so maxStorageBuffersPerShaderStage stays 8 and `tf.addN` over 8 or more tensors
// comes out silently wrong (Dawn only reports a validation error). Here the device asks
// for every limit the adapter has, and any uncaptured error or a lost device is kept as a
// fault that the next readback turns into a failed step.
import * as tf from '@tensorflow/tfjs';
import { type AdapterRecord, adapterRecord, missingVulkan, refusal } from './adapter';
import { installChunkedAddN } from './addn';

interface DawnDevice {
  readonly limits: Record<string, number>;
  readonly lost: Promise<{ reason: string; message: string }>;
  addEventListener(type: 'uncapturederror', fn: (e: { error: { message: string } }) => void): void;
  destroy(): void;
}

interface DawnAdapter {
  readonly limits: Record<string, number>;
  readonly features: Set<string>;
  readonly info: Record<string, unknown>;
  requestDevice(desc: { requiredLimits: Record<string, number>; requiredFeatures: string[] }): Promise<DawnDevice>;
}

interface DawnGpu {
  requestAdapter(opts?: { powerPreference?: string }): Promise<DawnAdapter | null>;
}

interface Session {
  device: DawnDevice;
  adapter: AdapterRecord;
  fault: string | null;
}

let session: Session | null = null;

async function provideNavigatorGpu(): Promise<DawnGpu> {
  const existing = (globalThis as { navigator?: { gpu?: DawnGpu } }).navigator?.gpu;
  if (existing) return existing;
  const dawn = await import('webgpu');
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]) as unknown as DawnGpu;
  const g = globalThis as { navigator?: object };
  g.navigator ??= {};
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  return gpu;
}

/** Every limit the adapter reports: the getters live on the prototype, so spread copies none. */
function allLimits(adapter: DawnAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key in adapter.limits) {
    const v = adapter.limits[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

async function openDevice(adapter: DawnAdapter): Promise<{ device: DawnDevice; requested: Record<string, number> }> {
  const requested = allLimits(adapter);
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits: requested, requiredFeatures });
  return { device, requested };
}

function watch(s: Session): void {
  s.device.addEventListener('uncapturederror', (e) => {
    s.fault ??= `WebGPU validation error: ${e.error.message.split('\n')[0]}`;
  });
  void s.device.lost.then((info) => {
    if (session === s) s.fault ??= `the WebGPU device was lost (${info.reason}): ${info.message || 'no message'}`;
  });
}

/**
 * Opens the adapter and a device with its own limits, then makes tfjs' `webgpu` backend use
 * that device. Throws, with the reason the doctor and the run show, when there is no
 * adapter or only a software one that is not allowed.
 */
export async function startWebGpu(env: NodeJS.ProcessEnv = process.env): Promise<AdapterRecord> {
  if (session) return session.adapter;
  const missing = missingVulkan(env);
  if (missing) throw new Error(missing);
  const gpu = await provideNavigatorGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error(refusal(null, env) ?? 'no WebGPU adapter');
  const why = refusal(adapter.info, env);
  if (why) throw new Error(why);
  const { device, requested } = await openDevice(adapter);
  const s: Session = { device, adapter: adapterRecord(adapter.info, requested), fault: null };
  watch(s);
  // Importing the package registers tfjs' own factory; ours replaces it before first use.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, adapter.info as never), 3);
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not initialise on the device');
  installChunkedAddN(requested.maxStorageBuffersPerShaderStage ?? 8);
  session = s;
  return s.adapter;
}

/** Throws the first fault since the device was opened: a step that read back after one is not trusted. */
export function assertWebGpuHealthy(): void {
  if (session?.fault) throw new Error(session.fault);
}

/** For tests of the guard: what a lost device or a validation error would leave behind. */
export function injectWebGpuFault(message: string): void {
  if (session) session.fault ??= message;
}

/** Frees the device and takes navigator.gpu away again: while it is there Node does not exit. */
export function stopWebGpu(): void {
  const s = session;
  session = null;
  if (tf.findBackend('webgpu') && tf.getBackend() === 'webgpu') tf.removeBackend('webgpu');
  s?.device.destroy();
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) delete nav.gpu;
}
