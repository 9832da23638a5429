// Checks a Keras weight file's values, not only its shapes. HDF5 keeps no checksum of a
// dataset's data, so bytes flipped on a disk or in a transfer read back as plausible-looking
// floats: this is the only place such damage can be caught before it trains anything.
import type { KerasH5Layer, KerasH5Weight } from './keras-h5-read';

/**
 * The largest |value| accepted per kind of weight. Measured over the real ImageNet files in
 * /work/shared/fixtures/keras (MobileNet 0.25 and MobileNetV2 1.0): kernels (conv, depthwise,
 * dense) reach 26.1, gamma 13.1, beta 10.0, moving_mean 105, moving_variance 2,221. Each
 * bound is that maximum times about 400, rounded up to a power of ten: architectures with
 * caffe preprocessing (inputs up to 255) have larger statistics, and a bound is only meant
 * to catch the exponents that random bytes give (about half of random floats exceed 1e4).
 */
export const VALUE_BOUNDS: Readonly<Record<string, number>> = {
  kernel: 1e4,
  depthwise_kernel: 1e4,
  pointwise_kernel: 1e4,
  bias: 1e4,
  gamma: 1e4,
  beta: 1e4,
  moving_mean: 1e5,
  moving_variance: 1e6,
};

/** `conv1/kernel:0`, `block1_conv1_W_1:0` (Keras 1), `0` (Keras 3): the kind, or null when unknown. */
export function weightKind(modelName: string): string {
  return modelName.split('/').pop()!.replace(/:\d+$/, '');
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/** The first problem with one tensor's values, or null. `kind` is the model's own name for the weight. */
export function valueProblem(kind: string, w: KerasH5Weight): string | null {
  const bound = VALUE_BOUNDS[kind];
  const mustBePositive = kind.endsWith('variance');
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < w.values.length; i++) {
    const v = w.values[i]!;
    if (!Number.isFinite(v)) return `${kind} holds ${String(v)} at index ${i}; every weight must be a finite number`;
    if (mustBePositive && v < 0) return `${kind} holds ${fmt(v)} at index ${i}; a variance cannot be negative`;
    if (Math.abs(v) > worst) [worst, worstAt] = [Math.abs(v), i];
  }
  if (bound !== undefined && worst > bound) {
    return `${kind} holds ${fmt(w.values[worstAt]!)} at index ${worstAt}, beyond ±${fmt(bound)} (real ImageNet files stay far below it)`;
  }
  return null;
}

/** Every problem with a layer's values; `kinds` are the model's names for the file's weights, in order. */
export function layerValueProblems(head: string, kinds: readonly string[], file: KerasH5Layer): string[] {
  return file.weights.flatMap((w, i) => {
    const p = valueProblem(kinds[i] ?? weightKind(w.name), w);
    return p ? [`${head}: ${p}`] : [];
  });
}

export class DamagedWeightsError extends Error {
  override name = 'DamagedWeightsError';
  constructor(where: string, problems: string[]) {
    super(
      `${where} is damaged: its weights hold values no trained network has (nothing was loaded):\n- ${problems.slice(0, 8).join('\n- ')}` +
        (problems.length > 8 ? `\n- and ${problems.length - 8} more` : '') +
        '\nThe file was probably corrupted on disk or in transfer: download or copy it again.',
    );
  }
}
