// tfjs' webgpu AddN binds every input as its own storage buffer in one shader. Past the
// device's maxStorageBuffersPerShaderStage (8 by default, 16 on lavapipe) the pipeline is
// invalid and the output is whatever the buffer held: a silently wrong sum. So the kernel
// is wrapped to add in groups that fit (one buffer is the output), then add the partial sums.
import * as tf from '@tensorflow/tfjs';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type AddNArgs = Parameters<KernelFunc>[0];

function grouped(own: KernelFunc, perShader: number): KernelFunc {
  const most = Math.max(2, perShader - 1);
  const run = (args: AddNArgs, inputs: tf.TensorInfo[]): tf.TensorInfo =>
    own({ ...args, inputs: inputs as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
  return (args) => {
    let level = args.inputs as unknown as tf.TensorInfo[];
    const made: tf.TensorInfo[] = [];
    while (level.length > most) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += most) {
        const part = level.slice(i, i + most);
        if (part.length === 1) {
          next.push(part[0]!);
          continue;
        }
        const sum = run(args, part);
        made.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const out = run(args, level);
    const backend = args.backend as tf.KernelBackend;
    for (const t of made) backend.disposeData(t.dataId);
    return out;
  };
}

/** Replaces the webgpu AddN kernel once with one that respects the device's buffer limit. */
export function installChunkedAddN(maxStorageBuffersPerShaderStage: number): void {
  const own = tf.getKernel('AddN', 'webgpu');
  if (!own) throw new Error('the webgpu backend has no AddN kernel to wrap');
  const tagged = own.kernelFunc as KernelFunc & { grouped?: true };
  if (tagged.grouped) return;
  const func = grouped(own.kernelFunc, maxStorageBuffersPerShaderStage) as KernelFunc & { grouped?: true };
  func.grouped = true;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...own, kernelFunc: func });
}
