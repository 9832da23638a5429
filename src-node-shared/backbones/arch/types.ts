// What every Keras Applications architecture built from code provides. The builders
// reproduce keras.applications (include_top=False, pooling=None) layer for layer: the
// same layer names, order, defaults and parameter counts, so Keras' own .h5 weight
// files load into them by Keras' rule (weighted layers in order, shapes checked).
import type * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../data/preprocess';

export interface ArchOptions {
  /** Square input side in pixels; each architecture checks it against Keras' minimum. */
  inputSize: number;
  /** Width multiplier, for MobileNet V1 / V2 only. */
  alpha?: number;
}

export interface ArchBlock {
  name: string;
  /** The block's last layer: its output is the only tensor later blocks read. */
  lastLayer: string;
}

/**
 * One layer the labeling assistant reads: its output averaged over the whole map (grid 1),
 * or over each of its four quadrants (grid 2, overlapping by a row where the side is odd),
 * which keeps where in the image a pattern was.
 */
export interface ReadoutLayer {
  layer: string;
  grid: 1 | 2;
}

/** Where Keras itself downloads the no-top ImageNet weights for one variant. */
export interface KerasWeights {
  /** The file name Keras caches it under (~/.keras/models/<file>). */
  file: string;
  url: string;
  /** Keras' `file_hash` (md5 when 32 hex digits, sha256 when 64), where Keras has one. */
  fileHash?: string;
}

export interface KerasArch {
  /** 'mobilenet', 'mobilenet_v2', 'resnet50', 'efficientnetb0', 'xception', 'inception_v3', 'vgg16'. */
  arch: string;
  label: string;
  /** Width multipliers Keras publishes ImageNet weights for; absent when the model has none. */
  alphas?: readonly number[];
  defaultInputSize: number;
  /** Keras' smallest accepted input side (e.g. 32, 71 for Xception, 75 for InceptionV3). */
  minInputSize: number;
  /** Sizes offered in the launcher (any size >= minInputSize is accepted). */
  suggestedInputSizes: readonly number[];
  /** keras.applications.<model>.preprocess_input, as the engine applies it outside the network. */
  preprocessing: Preprocessing;
  /** The last layer of the network without top (its output is the feature map). */
  featureLayer(opts: ArchOptions): string;
  /** Named blocks in network order; phase 2 unfreezes a suffix of these. */
  blocks(opts: ArchOptions): ArchBlock[];
  /**
   * The layers the labeling assistant reads, shallow to deep (absent: the feature layer
   * averaged over the map, the values the runs' phase-1 cache holds).
   */
  readout?(opts: ArchOptions): ReadoutLayer[];
  /** Builds the network with random weights, Keras' layer names, no top. */
  build(opts: ArchOptions): tf.LayersModel;
  /** Keras' weight file for this variant and size. */
  weights(opts: ArchOptions): KerasWeights;
}
