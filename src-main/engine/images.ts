// Decoding for the engine: any image file sharp reads, oriented by EXIF, to RGB 0..255
// at the backbone's input size. Tests pass tensors instead of files.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

export type ImageSource = string | tf.Tensor3D;

export interface ImageItem {
  /** Content hash: the feature cache key. */
  hash: string;
  source: ImageSource;
}

async function decodeFile(path: string, size: number): Promise<tf.Tensor3D> {
  let out: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    out = await sharp(path).rotate().resize(size, size, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`cannot decode image ${path}: ${(err as Error).message}`);
  }
  const { data, info } = out;
  const img = tf.tensor3d(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), [info.height, info.width, info.channels], 'int32');
  if (info.channels === 3) return img;
  // Greyscale files can come back with one channel; the backbones want three.
  const rgb = tf.tidy(() => tf.tile(tf.slice(img, [0, 0, 0], [size, size, 1]), [1, 1, 3]) as tf.Tensor3D);
  img.dispose();
  return rgb;
}

/** RGB float 0..255, [size, size, 3]. */
export async function loadImage(src: ImageSource, size: number): Promise<tf.Tensor3D> {
  if (typeof src === 'string') {
    const raw = await decodeFile(src, size);
    const f = tf.cast(raw, 'float32') as tf.Tensor3D;
    raw.dispose();
    return f;
  }
  return tf.tidy(() => {
    const f = tf.cast(src, 'float32') as tf.Tensor3D;
    const [h, w] = f.shape;
    return h === size && w === size ? f : (tf.image.resizeBilinear(f, [size, size], true) as tf.Tensor3D);
  });
}
