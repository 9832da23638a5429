// Pixel preprocessing per backbone. The registry names the kind; nothing else in the
// studio decides it, so a ResNet never gets `rescale=1/255` (seed 002).
import * as tf from '@tensorflow/tfjs';

export type Preprocessing =
  /** pixel / 255, into [0, 1] (nsfwjs' models). */
  | { kind: 'unit' }
  /** pixel / 127.5 - 1, into [-1, 1] (Keras MobileNet, Inception, Xception). */
  | { kind: 'symmetric' }
  /** RGB -> BGR, minus the per-channel ImageNet mean (Keras ResNet50, VGG). */
  | { kind: 'caffe'; meanBgr?: [number, number, number] }
  /** pixel / 255, minus ImageNet mean, over its std (PyTorch-trained weights). */
  | { kind: 'torch' }
  /** Pixels as they are, 0..255: the network normalises inside (Keras EfficientNet). */
  | { kind: 'raw' };

const CAFFE_MEAN_BGR: [number, number, number] = [103.939, 116.779, 123.68];
const TORCH_MEAN = [0.485, 0.456, 0.406];
const TORCH_STD = [0.229, 0.224, 0.225];

/** `pixels` are RGB in 0..255, shape [..., 3]; returns float32 in the backbone's range. */
export function preprocess(pixels: tf.Tensor, p: Preprocessing): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.cast(pixels, 'float32');
    switch (p.kind) {
      case 'unit':
        return tf.div(x, 255);
      case 'symmetric':
        return tf.sub(tf.div(x, 127.5), 1);
      case 'caffe':
        return tf.sub(tf.reverse(x, -1), tf.tensor1d(p.meanBgr ?? CAFFE_MEAN_BGR));
      case 'torch':
        return tf.div(tf.sub(tf.div(x, 255), tf.tensor1d(TORCH_MEAN)), tf.tensor1d(TORCH_STD));
      case 'raw':
        return x;
    }
  });
}
