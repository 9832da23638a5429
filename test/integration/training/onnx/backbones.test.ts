// Every Keras Application the studio builds, exported to ONNX and run on ONNX Runtime,
// gives tfjs' feature map at an even and an odd input size (TF 'same' padding puts the
// odd pixel at the end, Keras' correct_pad at the start: both must survive).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-node-shared/backend';
import { kerasArchs } from '../../../../src-node-shared/backbones/arch';
import type { KerasArch } from '../../../../src-node-shared/backbones/arch';
import { convertToOnnx } from '../../../../src-training/onnx/tfjs-to-onnx';
import { openOnnx } from '../../../../src-node-shared/onnx/runtime';
import { seededRandom } from '../../../../src-shared/random';
import { relativeDiff, seeded } from '../../../unit/training/onnx/compare';

/** Small sizes keep the big networks quick; each pair has an odd and an even side. */
const SIZES: Record<string, [number, number]> = {
  mobilenet_v2: [96, 113],
  mobilenet: [64, 97],
  resnet50: [64, 75],
  xception: [71, 96],
  inception_v3: [75, 96],
  vgg16: [32, 45],
};

before(async () => {
  await selectBackend({ prefer: 'wasm' });
});

/**
 * Fresh BatchNorms are the identity (mean 0, variance 1, gamma 1, beta 0), which would
 * hide a folding mistake: give them moderate random statistics, and Normalization too.
 */
function randomizeStatistics(model: tf.LayersModel, seed: number): void {
  const next = seededRandom(seed);
  for (const w of model.weights) {
    const key = w.originalName.split('/').pop()!;
    const range: Record<string, [number, number]> = {
      gamma: [0.5, 1.5],
      beta: [-0.2, 0.2],
      moving_mean: [-0.2, 0.2],
      moving_variance: [0.5, 1.5],
      mean: [-0.2, 0.2],
      variance: [0.5, 1.5],
    };
    const r = range[key];
    if (!r) continue;
    const values = Float32Array.from(
      { length: (w.shape as number[]).reduce((a, b) => a * b, 1) },
      () => r[0] + (r[1] - r[0]) * next(),
    );
    tf.tidy(() => {
      w.write(tf.tensor(values, w.shape as number[]));
    });
  }
}

async function checkArch(arch: KerasArch, size: number): Promise<{ diff: number; ms: number }> {
  const model = arch.build({ inputSize: size });
  randomizeStatistics(model, size);
  const shape = [1, size, size, 3];
  // Pixels in [0, 255) as the Rescaling-first networks (EfficientNet) take them; the others see the same.
  const x = seeded(size * size * 3, size).map((v) => (v + 0.5) * 255);
  const want = tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync());
  const t0 = performance.now();
  const session = await openOnnx(convertToOnnx(model));
  const got = await session.run(x, shape);
  const ms = performance.now() - t0;
  await session.dispose();
  model.dispose();
  return { diff: relativeDiff(want, got), ms };
}

for (const arch of kerasArchs) {
  const sizes = SIZES[arch.arch] ?? [Math.max(64, arch.minInputSize), Math.max(64, arch.minInputSize) + 11];
  test(`${arch.label}: ONNX Runtime gives tfjs' features at ${sizes.join(' and ')} px`, async () => {
    for (const size of sizes) {
      const { diff, ms } = await checkArch(arch, size);
      assert.ok(diff < 1e-4, `${arch.arch} at ${size}px: relative difference ${diff}`);
      console.log(
        `${arch.arch} ${size}px: relative difference ${diff.toExponential(2)}, export + ORT ${ms.toFixed(0)} ms`,
      );
    }
  });
}
