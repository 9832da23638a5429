// The backbones the studio knows. Each entry carries everything that must never be left
// to the user: the input size, the preprocessing the weights were trained with, where
// the feature map is taken, and the named blocks that phase 2 can unfreeze.
import type { Preprocessing } from '../preprocess';

export type BackboneSource =
  /** A Keras-format layers model bundled by the nsfwjs package (`dist/models/<name>`). */
  | { kind: 'nsfwjs'; model: 'mobilenet_v2' | 'inception_v3' }
  /** A folder holding a tfjs layers `model.json` and its weight shards. */
  | { kind: 'folder'; path: string }
  /** A tfjs layers `model.json` URL; downloaded once into the caller's cache folder. */
  | { kind: 'url'; url: string };

export interface BlockDef {
  name: string;
  /** The block's last layer: its output is the only tensor later blocks read. */
  lastLayer: string;
}

export interface BackboneEntry {
  id: string;
  label: string;
  inputSize: number;
  /** Other sizes the network accepts (fully convolutional up to `featureLayer`). */
  allowedInputSizes?: number[];
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
}

function mobileNetV2Blocks(): BlockDef[] {
  // Blocks with a residual connection end at `_add`; the stride-2 and widening blocks
  // (1, 3, 6, 10, 13, 16) have none and end at their projection's BatchNorm.
  const noAdd = new Set([1, 3, 6, 10, 13, 16]);
  const blocks: BlockDef[] = [];
  for (let i = 1; i <= 16; i++) {
    blocks.push({ name: `block_${i}`, lastLayer: noAdd.has(i) ? `block_${i}_project_BN` : `block_${i}_add` });
  }
  blocks.push({ name: 'Conv_1', lastLayer: 'out_relu' });
  return blocks;
}

function inceptionV3Blocks(): BlockDef[] {
  return Array.from({ length: 11 }, (_, i) => ({ name: `mixed${i}`, lastLayer: `mixed${i}` }));
}

export const builtinBackbones: readonly BackboneEntry[] = [
  {
    id: 'mobilenet_v2',
    label: 'MobileNetV2 (nsfwjs weights)',
    inputSize: 224,
    allowedInputSizes: [96, 128, 160, 192, 224],
    // nsfwjs divides pixels by 255 for every model it ships (NSFWJS.infer): not Keras' [-1, 1].
    preprocessing: { kind: 'unit' },
    featureLayer: 'out_relu',
    // Stride 32 with 'same' padding: ceil(size / 32).
    featureShapes: { 96: [3, 3, 1280], 128: [4, 4, 1280], 160: [5, 5, 1280], 192: [6, 6, 1280], 224: [7, 7, 1280] },
    blocks: mobileNetV2Blocks(),
    source: { kind: 'nsfwjs', model: 'mobilenet_v2' },
  },
  {
    id: 'inception_v3',
    label: 'InceptionV3 (nsfwjs weights)',
    inputSize: 299,
    allowedInputSizes: [299],
    // Same NSFWJS.infer path as MobileNetV2: pixel / 255, checked in nsfwjs 4.4's core.js.
    preprocessing: { kind: 'unit' },
    featureLayer: 'mixed10',
    featureShapes: { 299: [8, 8, 2048] },
    blocks: inceptionV3Blocks(),
    source: { kind: 'nsfwjs', model: 'inception_v3' },
  },
];

export function findBackbone(id: string, extra: readonly BackboneEntry[] = []): BackboneEntry {
  const entry = [...builtinBackbones, ...extra].find((b) => b.id === id);
  if (!entry) {
    const known = [...builtinBackbones, ...extra].map((b) => b.id).join(', ');
    throw new Error(`backbone "${id}" is not in the registry; known backbones: ${known}`);
  }
  return entry;
}

export function checkInputSize(entry: BackboneEntry, size: number): void {
  const allowed = entry.allowedInputSizes ?? [entry.inputSize];
  if (!allowed.includes(size)) {
    throw new Error(`backbone "${entry.id}": input size ${size} is not supported; use one of ${allowed.join(', ')}`);
  }
}
