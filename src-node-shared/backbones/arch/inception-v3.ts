// InceptionV3 as keras.applications.inception_v3 builds it (include_top=False). Keras names
// only the mixedN concatenations; every other layer takes Keras' automatic name, given
// here as tf.keras 2.x numbers them in a fresh session (`conv2d`, `conv2d_1`, ...), so the
// layers are created in exactly the order Keras' code calls them. Keras 2.2 and older
// started at `_1` (nsfwjs' copy does): names shift, the order of weighted layers does not.
import * as tf from '@tensorflow/tfjs';
import { activation, checkInputSize, kerasInput, maxPool } from './keras-layers';
import type { Sym } from './keras-layers';
import type { ArchBlock, ArchOptions, KerasArch } from './types';
import { kerasWeights } from './weights-url';

/** Hands out Keras' automatic layer names: the first of a kind bare, then `_1`, `_2`, ... */
export function kerasAutoNamer(): (kind: string) => string {
  const seen = new Map<string, number>();
  return (kind) => {
    const n = seen.get(kind) ?? 0;
    seen.set(kind, n + 1);
    return n === 0 ? kind : `${kind}_${n}`;
  };
}

const MIN_SIZE = 75;

class InceptionBuilder {
  readonly name = kerasAutoNamer();

  /** Keras' conv2d_bn: a bias-free convolution, BatchNormalization(scale=False), relu. */
  convBn(x: Sym, filters: number, rows: number, cols: number, padding: 'same' | 'valid' = 'same', strides = 1): Sym {
    const conv = tf.layers.conv2d({
      filters,
      kernelSize: [rows, cols],
      strides,
      padding,
      useBias: false,
      kernelInitializer: 'glorotUniform',
      name: this.name('conv2d'),
    });
    // axis 3, not -1, as Keras' conv2d_bn writes it (channels_last), so saved configs match.
    const bn = tf.layers.batchNormalization({ axis: 3, scale: false, name: this.name('batch_normalization') });
    const y = bn.apply(conv.apply(x)) as Sym;
    return activation(y, 'relu', this.name('activation'));
  }

  avgPool(x: Sym): Sym {
    return tf.layers
      .averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: this.name('average_pooling2d') })
      .apply(x) as Sym;
  }

  maxPool(x: Sym): Sym {
    return maxPool(x, 3, 2, this.name('max_pooling2d'));
  }

  concat(xs: Sym[], name?: string): Sym {
    return tf.layers.concatenate({ axis: 3, name: name ?? this.name('concatenate') }).apply(xs) as Sym;
  }

  stem(input: Sym): Sym {
    let x = this.convBn(input, 32, 3, 3, 'valid', 2);
    x = this.convBn(x, 32, 3, 3, 'valid');
    x = this.convBn(x, 64, 3, 3);
    x = this.maxPool(x);
    x = this.convBn(x, 80, 1, 1, 'valid');
    x = this.convBn(x, 192, 3, 3, 'valid');
    return this.maxPool(x);
  }

  /** mixed0..mixed2 (35 x 35): 1x1, 5x5, double 3x3 and pooled branches. */
  block35(x: Sym, poolFilters: number, name: string): Sym {
    const b1 = this.convBn(x, 64, 1, 1);
    const b5 = this.convBn(this.convBn(x, 48, 1, 1), 64, 5, 5);
    const b3 = this.convBn(this.convBn(this.convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = this.convBn(this.avgPool(x), poolFilters, 1, 1);
    return this.concat([b1, b5, b3, bp], name);
  }

  /** mixed3: the 35 -> 17 reduction. */
  reduce35(x: Sym): Sym {
    const b3 = this.convBn(x, 384, 3, 3, 'valid', 2);
    const bd = this.convBn(this.convBn(this.convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 'valid', 2);
    return this.concat([b3, bd, this.maxPool(x)], 'mixed3');
  }

  /** mixed4..mixed7 (17 x 17): factorised 7x7 branches of width `c`. */
  block17(x: Sym, c: number, name: string): Sym {
    const b1 = this.convBn(x, 192, 1, 1);
    let b7 = this.convBn(x, c, 1, 1);
    b7 = this.convBn(this.convBn(b7, c, 1, 7), 192, 7, 1);
    let bd = this.convBn(x, c, 1, 1);
    bd = this.convBn(this.convBn(bd, c, 7, 1), c, 1, 7);
    bd = this.convBn(this.convBn(bd, c, 7, 1), 192, 1, 7);
    const bp = this.convBn(this.avgPool(x), 192, 1, 1);
    return this.concat([b1, b7, bd, bp], name);
  }

  /** mixed8: the 17 -> 8 reduction. */
  reduce17(x: Sym): Sym {
    const b3 = this.convBn(this.convBn(x, 192, 1, 1), 320, 3, 3, 'valid', 2);
    let b7 = this.convBn(x, 192, 1, 1);
    b7 = this.convBn(this.convBn(b7, 192, 1, 7), 192, 7, 1);
    b7 = this.convBn(b7, 192, 3, 3, 'valid', 2);
    return this.concat([b3, b7, this.maxPool(x)], 'mixed8');
  }

  /** mixed9, mixed10 (8 x 8): split 3x3 branches with their own inner concatenations. */
  block8(x: Sym, i: number): Sym {
    const b1 = this.convBn(x, 320, 1, 1);
    const b3 = this.convBn(x, 384, 1, 1);
    const b3Cat = this.concat([this.convBn(b3, 384, 1, 3), this.convBn(b3, 384, 3, 1)], `mixed9_${i}`);
    const bd = this.convBn(this.convBn(x, 448, 1, 1), 384, 3, 3);
    const bdCat = this.concat([this.convBn(bd, 384, 1, 3), this.convBn(bd, 384, 3, 1)]);
    const bp = this.convBn(this.avgPool(x), 192, 1, 1);
    return this.concat([b1, b3Cat, bdCat, bp], `mixed${9 + i}`);
  }
}

function build(opts: ArchOptions): tf.LayersModel {
  checkInputSize('InceptionV3', opts.inputSize, MIN_SIZE);
  const input = kerasInput(opts.inputSize);
  const b = new InceptionBuilder();
  let x = b.stem(input);
  x = b.block35(x, 32, 'mixed0');
  x = b.block35(x, 64, 'mixed1');
  x = b.block35(x, 64, 'mixed2');
  x = b.reduce35(x);
  x = b.block17(x, 128, 'mixed4');
  x = b.block17(x, 160, 'mixed5');
  x = b.block17(x, 160, 'mixed6');
  x = b.block17(x, 192, 'mixed7');
  x = b.reduce17(x);
  x = b.block8(x, 0);
  x = b.block8(x, 1);
  return tf.model({ inputs: input, outputs: x, name: 'inception_v3' });
}

/** The stem ends at its second max pool (auto-named `max_pooling2d_1`); then one block per mixedN. */
function blocks(): ArchBlock[] {
  const mixed = Array.from({ length: 11 }, (_, i) => ({ name: `mixed${i}`, lastLayer: `mixed${i}` }));
  return [{ name: 'stem', lastLayer: 'max_pooling2d_1' }, ...mixed];
}

export const inceptionV3: KerasArch = {
  arch: 'inception_v3',
  label: 'InceptionV3',
  defaultInputSize: 299,
  minInputSize: MIN_SIZE,
  suggestedInputSizes: [299, 224, 160],
  preprocessing: { kind: 'symmetric' },
  featureLayer: () => 'mixed10',
  blocks,
  build,
  weights: () =>
    kerasWeights(
      'https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
      'bcbd6486424b2319ff4ef7d526e38f63',
    ),
};
