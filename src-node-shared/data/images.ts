// Decoding for the engine: any image file sharp reads, oriented by EXIF, transparency
// composited onto the thumbnails' background, to RGB 0..255 at the backbone's input size.
// Tests pass tensors instead of files.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { IMAGE_BACKGROUND } from '../../src-shared/image-background';

export type ImageSource = string | tf.Tensor3D;

export interface ImageItem {
  /** Content hash: the feature cache key. */
  hash: string;
  source: ImageSource;
}

/**
 * Bumped whenever `decodeRgb` would give other pixels for the same file: the feature cache
 * keys on it, so features computed the old way are never served. 2: transparency is
 * composited onto IMAGE_BACKGROUND (version 1 dropped alpha, leaving transparent areas black).
 */
export const DECODE_VERSION = 2;

/** Interleaved RGB bytes, row-major, `width * height * 3` long. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The one decode of a file for the network, tensor-free so the viewer's "as the model sees
 * it" shows these very bytes. `fit: 'fill'` stretches: the backbone sees the whole image.
 */
export async function decodeRgb(path: string, size: number): Promise<RgbImage> {
  let out: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    out = await sharp(path)
      .rotate()
      .flatten({ background: IMAGE_BACKGROUND })
      .resize(size, size, { fit: 'fill' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`cannot decode image ${path}: ${(err as Error).message}`);
  }
  const { data, info } = out;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { data: toThreeChannels(bytes, info.channels), width: info.width, height: info.height };
}

/** Greyscale files can come back with one channel; the backbones want three. */
function toThreeChannels(bytes: Uint8Array, channels: number): Uint8Array {
  if (channels === 3) return bytes;
  if (channels !== 1) throw new Error(`decoding gave ${channels} channels where 1 or 3 were expected`);
  const rgb = new Uint8Array(bytes.length * 3);
  for (let i = 0; i < bytes.length; i++) rgb.fill(bytes[i]!, i * 3, i * 3 + 3);
  return rgb;
}

/** RGB float 0..255, [size, size, 3]. */
export async function loadImage(src: ImageSource, size: number): Promise<tf.Tensor3D> {
  if (typeof src === 'string') {
    const { data, width, height } = await decodeRgb(src, size);
    return tf.tensor3d(Float32Array.from(data), [height, width, 3], 'float32');
  }
  return tf.tidy(() => {
    const f = tf.cast(src, 'float32') as tf.Tensor3D;
    const [h, w] = f.shape;
    return h === size && w === size ? f : (tf.image.resizeBilinear(f, [size, size], true) as tf.Tensor3D);
  });
}
