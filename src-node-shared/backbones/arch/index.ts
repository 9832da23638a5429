// The Keras Applications the studio builds from code, and the feature-map arithmetic of
// each, so the launcher and head editor know a backbone's output before it is built.
import { efficientnetB0, efficientnetB1, efficientnetB2, efficientnetB3 } from './efficientnet';
import { inceptionV3 } from './inception-v3';
import { mobilenet } from './mobilenet';
import { mobilenetV2 } from './mobilenet-v2';
import { resnet50 } from './resnet50';
import type { KerasArch } from './types';
import { vgg16 } from './vgg16';
import { xception } from './xception';

export type { KerasArch, KerasWeights } from './types';

export const kerasArchs: readonly KerasArch[] = [
  mobilenetV2,
  mobilenet,
  efficientnetB0,
  efficientnetB1,
  efficientnetB2,
  efficientnetB3,
  resnet50,
  xception,
  inceptionV3,
  vgg16,
];

export function findArch(arch: string): KerasArch {
  const found = kerasArchs.find((a) => a.arch === arch);
  if (!found)
    throw new Error(
      `architecture "${arch}" is not one the studio builds; known: ${kerasArchs.map((a) => a.arch).join(', ')}`,
    );
  return found;
}

const halve = (n: number, times: number, round: (x: number) => number): number => {
  for (let i = 0; i < times; i++) n = round(n / 2);
  return n;
};
/** A 'valid' k x k convolution or pool with stride s. */
const valid = (n: number, k: number, s: number): number => Math.floor((n - k) / s) + 1;

function makeDivisible(v: number, divisor = 8): number {
  const out = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  return out < 0.9 * v ? out + divisor : out;
}

/**
 * [h, w, c] of the no-top feature map. Keras pads stride-2 layers of MobileNetV2, ResNet50
 * and EfficientNet so each halves with rounding up; MobileNet V1's later stride-2 layers
 * and VGG's pools round down; Xception and InceptionV3 have 'valid' stems.
 */
export function featureShapeOf(arch: string, size: number, alpha = 1): [number, number, number] {
  switch (arch) {
    case 'mobilenet_v2':
      return [halve(size, 5, Math.ceil), halve(size, 5, Math.ceil), alpha > 1 ? makeDivisible(1280 * alpha) : 1280];
    case 'mobilenet': {
      // A 'same' stem, then four stride-2 layers padded ((0, 1), (0, 1)) that round down.
      const s = halve(halve(size, 1, Math.ceil), 4, Math.floor);
      return [s, s, Math.round(1024 * alpha)];
    }
    case 'resnet50':
      return [halve(size, 5, Math.ceil), halve(size, 5, Math.ceil), 2048];
    case 'vgg16':
      return [halve(size, 5, Math.floor), halve(size, 5, Math.floor), 512];
    case 'efficientnetb0':
    case 'efficientnetb1':
      return [halve(size, 5, Math.ceil), halve(size, 5, Math.ceil), 1280];
    case 'efficientnetb2':
      return [halve(size, 5, Math.ceil), halve(size, 5, Math.ceil), 1408];
    case 'efficientnetb3':
      return [halve(size, 5, Math.ceil), halve(size, 5, Math.ceil), 1536];
    case 'xception': {
      const s = halve(valid(size, 3, 2) - 2, 4, Math.ceil);
      return [s, s, 2048];
    }
    case 'inception_v3': {
      let s = valid(valid(size, 3, 2) - 2, 3, 2) - 2;
      s = valid(valid(valid(s, 3, 2), 3, 2), 3, 2);
      return [s, s, 2048];
    }
  }
  throw new Error(`no feature-map arithmetic for architecture "${arch}"`);
}
