// The backbones the studio knows. Each entry carries everything that must never be left
// to the user: the input size, the preprocessing the weights were trained with, where
// the feature map is taken, and the named blocks that phase 2 can unfreeze.
import type { Preprocessing } from '../data/preprocess';
import { featureShapeOf, kerasArchs } from './arch';
import type { KerasArch } from './arch';
import type { ReadoutLayer } from './arch/types';
import { inceptionV3 } from './arch/inception-v3';
import { mobilenetV2 } from './arch/mobilenet-v2';

export type BackboneSource =
  /** A Keras-format layers model bundled by the nsfwjs package (`dist/models/<name>`). */
  | { kind: 'nsfwjs'; model: 'mobilenet_v2' | 'inception_v3' }
  /** A folder holding a tfjs layers `model.json` and its weight shards. */
  | { kind: 'folder'; path: string }
  /** A tfjs layers `model.json` URL; downloaded once into the caller's cache folder. */
  | { kind: 'url'; url: string }
  /** A Keras Applications architecture built from code, with Keras' .h5 weights from the model cache. */
  | { kind: 'keras'; arch: string; alpha?: number };

/** What the weights were trained for: only ImageNet features transfer well to most data. */
export type Tuning = 'imagenet' | 'nsfw' | 'custom';

export interface BlockDef {
  name: string;
  /** The block's last layer: its output is the only tensor later blocks read. */
  lastLayer: string;
}

export interface BackboneEntry {
  id: string;
  label: string;
  inputSize: number;
  /** Sizes offered in the launcher; with `minInputSize`, any size from there up is accepted too. */
  allowedInputSizes?: number[];
  /** Keras' smallest input side for a fully convolutional network (absent: only the listed sizes). */
  minInputSize?: number;
  preprocessing: Preprocessing;
  /** The spatial feature map just before the network's own global pooling. */
  featureLayer: string;
  /**
   * [h, w, c] of that map per input size, so the head editor can size a head before the
   * network is loaded (checked against the loaded models by a test). Absent for
   * backbones only known once loaded.
   */
  featureShapes?: Record<number, [number, number, number]>;
  /** In network order; phase 2 unfreezes a suffix of this list. */
  blocks: BlockDef[];
  source: BackboneSource;
  tuning: Tuning;
  /** The layers the labeling assistant reads (absent: the feature layer, averaged, as the runs' cache holds it). */
  readout?: ReadoutLayer[];
  /** Parameters without the top, as Keras counts them (checked against the built network by a test). */
  params?: number;
  /** ImageNet top-1 accuracy (%) of these weights: the launcher defaults to the best one present. */
  imagenetTop1?: number;
}

/**
 * Per variant: Keras' parameter count without the top (the registry lists it without
 * building 20 networks; test/unit/engine/backbones/registry.test.ts builds each and
 * checks) and ImageNet top-1 accuracy as Keras Applications and the MobileNet papers
 * report it (224 px), which ranks the default backbone.
 */
const KERAS_FACTS: Record<string, { params: number; top1: number }> = {
  mobilenet_v2: { params: 2_257_984, top1: 71.3 },
  'mobilenet_v2_0.35': { params: 410_208, top1: 60.3 },
  'mobilenet_v2_0.5': { params: 706_224, top1: 65.4 },
  'mobilenet_v2_0.75': { params: 1_382_064, top1: 69.8 },
  'mobilenet_v2_1.3': { params: 3_766_048, top1: 74.4 },
  'mobilenet_v2_1.4': { params: 4_363_712, top1: 75.0 },
  mobilenet: { params: 3_228_864, top1: 70.4 },
  'mobilenet_0.25': { params: 218_544, top1: 50.6 },
  'mobilenet_0.5': { params: 829_536, top1: 63.7 },
  'mobilenet_0.75': { params: 1_832_976, top1: 68.4 },
  efficientnetb0: { params: 4_049_571, top1: 77.1 },
  efficientnetb1: { params: 6_575_239, top1: 79.1 },
  efficientnetb2: { params: 7_768_569, top1: 80.1 },
  efficientnetb3: { params: 10_783_535, top1: 81.6 },
  resnet50: { params: 23_587_712, top1: 74.9 },
  xception: { params: 20_861_480, top1: 79.0 },
  inception_v3: { params: 21_802_784, top1: 77.9 },
  vgg16: { params: 14_714_688, top1: 71.3 },
};

/** 'mobilenet_v2' for alpha 1, 'mobilenet_v2_0.35' otherwise. */
export function kerasEntryId(arch: string, alpha?: number): string {
  return alpha === undefined || alpha === 1 ? arch : `${arch}_${alpha}`;
}

function kerasEntry(arch: KerasArch, alpha?: number): BackboneEntry {
  const opts = { inputSize: arch.defaultInputSize, alpha };
  const id = kerasEntryId(arch.arch, alpha);
  const sizes = [...arch.suggestedInputSizes];
  return {
    id,
    label: `${arch.label}${alpha === undefined ? '' : ` ${alpha === 1 ? '1.0' : alpha}`} (ImageNet)`,
    inputSize: arch.defaultInputSize,
    allowedInputSizes: sizes,
    minInputSize: arch.minInputSize,
    preprocessing: arch.preprocessing,
    featureLayer: arch.featureLayer(opts),
    featureShapes: Object.fromEntries(sizes.map((s) => [s, featureShapeOf(arch.arch, s, alpha)])),
    blocks: arch.blocks(opts),
    readout: arch.readout?.(opts),
    source: { kind: 'keras', arch: arch.arch, alpha },
    tuning: 'imagenet',
    params: KERAS_FACTS[id]?.params,
    imagenetTop1: KERAS_FACTS[id]?.top1,
  };
}

function kerasEntries(): BackboneEntry[] {
  return kerasArchs.flatMap((arch) =>
    // Alpha 1 first: it is the variant people mean by the architecture's name.
    arch.alphas
      ? [...arch.alphas].sort((a, b) => Number(b === 1) - Number(a === 1) || a - b).map((a) => kerasEntry(arch, a))
      : [kerasEntry(arch)],
  );
}

/** nsfwjs converted Keras' own MobileNetV2 and InceptionV3, so the Keras block names hold. */
function nsfwjsEntry(id: string, arch: KerasArch, model: 'mobilenet_v2' | 'inception_v3'): BackboneEntry {
  const size = arch.defaultInputSize;
  const sizes = model === 'mobilenet_v2' ? [96, 128, 160, 192, 224] : [size];
  return {
    id,
    label: `${arch.label} (nsfwjs weights, NSFW-tuned)`,
    inputSize: size,
    allowedInputSizes: sizes,
    // nsfwjs divides pixels by 255 for every model it ships (NSFWJS.infer): not Keras' [-1, 1].
    preprocessing: { kind: 'unit' },
    featureLayer: arch.featureLayer({ inputSize: size }),
    featureShapes: Object.fromEntries(sizes.map((s) => [s, featureShapeOf(arch.arch, s)])),
    blocks: arch.blocks({ inputSize: size }),
    readout: arch.readout?.({ inputSize: size }),
    source: { kind: 'nsfwjs', model },
    tuning: 'nsfw',
    params: KERAS_FACTS[arch.arch]?.params,
  };
}

export const builtinBackbones: readonly BackboneEntry[] = [
  ...kerasEntries(),
  nsfwjsEntry('nsfwjs_mobilenet_v2', mobilenetV2, 'mobilenet_v2'),
  nsfwjsEntry('nsfwjs_inception_v3', inceptionV3, 'inception_v3'),
];

export function findBackbone(id: string, extra: readonly BackboneEntry[] = []): BackboneEntry {
  const entry = [...builtinBackbones, ...extra].find((b) => b.id === id);
  if (!entry) {
    const known = [...builtinBackbones, ...extra].map((b) => b.id).join(', ');
    throw new Error(`backbone "${id}" is not in the registry; known backbones: ${known}`);
  }
  return entry;
}

/** The largest side accepted: a frozen backbone's cost grows with its square. */
export const MAX_INPUT_SIZE = 1024;

export function checkInputSize(entry: BackboneEntry, size: number): void {
  const allowed = entry.allowedInputSizes ?? [entry.inputSize];
  if (allowed.includes(size)) return;
  if (entry.minInputSize !== undefined) {
    if (Number.isInteger(size) && size >= entry.minInputSize && size <= MAX_INPUT_SIZE) return;
    throw new Error(
      `backbone "${entry.id}": input size ${size} is not supported; use a whole number from ${entry.minInputSize} to ${MAX_INPUT_SIZE} (the weights were trained at ${entry.inputSize})`,
    );
  }
  throw new Error(`backbone "${entry.id}": input size ${size} is not supported; use one of ${allowed.join(', ')}`);
}
