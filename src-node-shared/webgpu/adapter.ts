// What a run records about the WebGPU adapter it trained on, and why an adapter was
// refused. A software adapter (Mesa's lavapipe, SwiftShader, WARP) is the CPU under
// another name: it reports isFallbackAdapter yet a plain requestAdapter() returns it, so it
// is refused unless a setting allows it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findLibrary, ldCache, ldLibraryPath } from '../system-probe';

export interface AdapterRecord {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
  /** The limits the device was opened with (the adapter's own). */
  limits: Record<string, number>;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|\bwarp\b|basic render/i;

function text(info: Record<string, unknown>, key: string): string {
  const v = info[key];
  return typeof v === 'string' ? v : '';
}

export function isSoftware(info: Record<string, unknown>): boolean {
  return (
    info.isFallbackAdapter === true ||
    text(info, 'architecture') === 'software' ||
    SOFTWARE_NAMES.test(text(info, 'description'))
  );
}

export function adapterRecord(info: Record<string, unknown>, limits: Record<string, number>): AdapterRecord {
  return {
    vendor: text(info, 'vendor'),
    architecture: text(info, 'architecture'),
    device: text(info, 'device'),
    description: text(info, 'description'),
    software: isSoftware(info),
    limits,
  };
}

/** "nvidia ampere (NVIDIA GeForce RTX 3090)": one line for the doctor and the run page. */
export function adapterLine(a: Pick<AdapterRecord, 'vendor' | 'architecture' | 'description' | 'software'>): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return `${name}${a.description ? ` (${a.description})` : ''}${a.software ? ', software' : ''}`;
}

/** Vulkan ICD manifests the loader would read on Linux: VK_DRIVER_FILES / VK_ICD_FILENAMES, else the standard folders. */
export function vulkanIcds(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  if (listed) return listed.split(':').filter(Boolean);
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  return dirs.flatMap((d) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((f) => f.endsWith('.json'))
          .map((f) => join(d, f))
      : [],
  );
}

const NO_ADAPTER = 'no WebGPU adapter';

/**
 * Why Linux cannot give Dawn an adapter before Dawn is even loaded (no Vulkan loader, no
 * driver), else null. Checked first, so that a machine without Vulkan neither loads Dawn
 * nor gets its C++ warning printed on every command's stderr.
 */
export function missingVulkan(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  if (!findLibrary('libvulkan.so.1', ldCache(), ldLibraryPath(env)))
    return `${NO_ADAPTER}: the Vulkan loader (libvulkan.so.1) is not installed (Debian/Ubuntu: apt install libvulkan1)`;
  if (vulkanIcds(env).length === 0)
    return `${NO_ADAPTER}: no Vulkan driver is installed (NVIDIA's driver brings one; AMD and Intel: mesa-vulkan-drivers)`;
  return null;
}

/** Why Dawn found no adapter, as far as the machine shows it. */
export function noAdapterReason(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const base = NO_ADAPTER;
  if (platform === 'darwin') return `${base}: Metal gave none (macOS 11 or newer on a Metal-capable GPU is needed)`;
  if (platform === 'win32') return `${base}: D3D12 gave none (update the GPU driver; Windows 10 1909 or newer)`;
  const missing = missingVulkan(env, platform);
  if (missing) return missing;
  const names = vulkanIcds(env)
    .map((f) => f.split('/').pop())
    .join(', ');
  return `${base}: Dawn accepted none of the Vulkan drivers (${names}); Mesa older than 24 (Debian 12 has 22.3.6) lacks features Dawn needs, and a driver for another GPU than this one gives none`;
}

/** Null when the adapter may train; else why not. `info` null: there was no adapter at all. */
export function refusal(info: Record<string, unknown> | null, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!info) return noAdapterReason(env);
  if (!isSoftware(info) || env.STUDIO_WEBGPU_ALLOW_SOFTWARE === '1') return null;
  return `the only WebGPU adapter is a software one (${adapterLine(adapterRecord(info, {}))}): it runs on the CPU, so it is not used (STUDIO_WEBGPU_ALLOW_SOFTWARE=1 allows it)`;
}
