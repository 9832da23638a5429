// Opens the WebGPU rung for a test file, software adapters allowed (CI has lavapipe only);
// null, with the reason, when this machine has no adapter: the tests then skip saying so.
import * as tf from '@tensorflow/tfjs';
import { startWebGpu, stopWebGpu } from '../../../../src-node-shared/webgpu/device';
import type { AdapterRecord } from '../../../../src-node-shared/webgpu/adapter';

export async function openWebGpuForTest(): Promise<{ adapter: AdapterRecord | null; skip: string | false }> {
  try {
    const adapter = await startWebGpu({ ...process.env, STUDIO_WEBGPU_ALLOW_SOFTWARE: '1' });
    return { adapter, skip: false };
  } catch (err) {
    return {
      adapter: null,
      skip: `${(err as Error).message}; run eval "$(scripts/lavapipe.sh)" first for software Vulkan`,
    };
  }
}

export function closeWebGpu(): void {
  stopWebGpu();
}

/** The same computation on the cpu backend, values read back, then webgpu active again. */
export async function onCpu<T extends tf.Tensor>(f: () => T): Promise<Float32Array> {
  const was = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const t = f();
    const v = (await t.data()) as Float32Array;
    t.dispose();
    return v;
  } finally {
    await tf.setBackend(was);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
