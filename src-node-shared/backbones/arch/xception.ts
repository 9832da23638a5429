// Xception as keras.applications.xception builds it (include_top=False). Keras leaves the
// four strided 1x1 residual convolutions, their batch norms and the twelve adds unnamed;
// they get Keras' automatic names as tf.keras 2.x gives them in a fresh session
// (`conv2d`..`conv2d_3`, `batch_normalization`..`_3`, `add`..`add_11`). What the .h5
// loader relies on is the order, so layers are created in the order Keras' code calls them.
import * as tf from '@tensorflow/tfjs';
import { kerasAutoNamer } from './inception-v3';
import { activation, add, batchNorm, checkInputSize, conv2d, kerasInput, maxPool } from './keras-layers';
import type { Sym } from './keras-layers';
import type { ArchBlock, ArchOptions, KerasArch } from './types';
import { kerasWeights } from './weights-url';

const MIN_SIZE = 71;

class XceptionBuilder {
  readonly auto = kerasAutoNamer();

  conv(x: Sym, filters: number, name: string, strides = 1): Sym {
    return conv2d(x, { filters, kernel: 3, strides, useBias: false, name });
  }

  sep(x: Sym, filters: number, name: string): Sym {
    const layer = tf.layers.separableConv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: 'glorotUniform',
      pointwiseInitializer: 'glorotUniform',
      name,
    });
    return layer.apply(x) as Sym;
  }

  bn(x: Sym, name?: string): Sym {
    return batchNorm(x, name ?? this.auto('batch_normalization'));
  }

  relu(x: Sym, name: string): Sym {
    return activation(x, 'relu', name);
  }

  add(x: Sym, residual: Sym): Sym {
    return add([x, residual], this.auto('add'));
  }

  /** The strided 1x1 projection that carries the input around a downsampling block. */
  residual(x: Sym, filters: number): Sym {
    return this.bn(
      conv2d(x, { filters, kernel: 1, strides: 2, padding: 'same', useBias: false, name: this.auto('conv2d') }),
    );
  }

  pool(x: Sym, name: string): Sym {
    return maxPool(x, 3, 2, name, 'same');
  }

  /** Blocks 2, 3, 4 and 13: two separable convolutions, a max pool, plus the projected input. */
  downBlock(x: Sym, n: number, filters: [number, number], firstRelu: boolean): Sym {
    const residual = this.residual(x, filters[1]);
    const p = `block${n}`;
    if (firstRelu) x = this.relu(x, `${p}_sepconv1_act`);
    x = this.bn(this.sep(x, filters[0], `${p}_sepconv1`), `${p}_sepconv1_bn`);
    x = this.relu(x, `${p}_sepconv2_act`);
    x = this.bn(this.sep(x, filters[1], `${p}_sepconv2`), `${p}_sepconv2_bn`);
    return this.add(this.pool(x, `${p}_pool`), residual);
  }

  /** Blocks 5..12: three relu-separable-conv steps around an identity shortcut. */
  middleBlock(x: Sym, n: number): Sym {
    const residual = x;
    for (let k = 1; k <= 3; k++) {
      const p = `block${n}_sepconv${k}`;
      x = this.bn(this.sep(this.relu(x, `${p}_act`), 728, p), `${p}_bn`);
    }
    return this.add(x, residual);
  }

  exitBlock(x: Sym): Sym {
    x = this.relu(this.bn(this.sep(x, 1536, 'block14_sepconv1'), 'block14_sepconv1_bn'), 'block14_sepconv1_act');
    return this.relu(this.bn(this.sep(x, 2048, 'block14_sepconv2'), 'block14_sepconv2_bn'), 'block14_sepconv2_act');
  }
}

function build(opts: ArchOptions): tf.LayersModel {
  checkInputSize('Xception', opts.inputSize, MIN_SIZE);
  const input = kerasInput(opts.inputSize);
  const b = new XceptionBuilder();
  let x = b.relu(b.bn(b.conv(input, 32, 'block1_conv1', 2), 'block1_conv1_bn'), 'block1_conv1_act');
  x = b.relu(b.bn(b.conv(x, 64, 'block1_conv2'), 'block1_conv2_bn'), 'block1_conv2_act');
  x = b.downBlock(x, 2, [128, 128], false);
  x = b.downBlock(x, 3, [256, 256], true);
  x = b.downBlock(x, 4, [728, 728], true);
  for (let n = 5; n <= 12; n++) x = b.middleBlock(x, n);
  x = b.downBlock(x, 13, [728, 1024], true);
  x = b.exitBlock(x);
  return tf.model({ inputs: input, outputs: x, name: 'xception' });
}

/** Block N (2..13) ends at its add, the (N-2)th: `add`, `add_1`, ... `add_11`. */
function blocks(): ArchBlock[] {
  const out: ArchBlock[] = [{ name: 'block1', lastLayer: 'block1_conv2_act' }];
  for (let n = 2; n <= 13; n++) out.push({ name: `block${n}`, lastLayer: n === 2 ? 'add' : `add_${n - 2}` });
  out.push({ name: 'block14', lastLayer: 'block14_sepconv2_act' });
  return out;
}

export const xception: KerasArch = {
  arch: 'xception',
  label: 'Xception',
  defaultInputSize: 299,
  minInputSize: MIN_SIZE,
  suggestedInputSizes: [299, 224, 160],
  preprocessing: { kind: 'symmetric' },
  featureLayer: () => 'block14_sepconv2_act',
  blocks,
  build,
  weights: () =>
    kerasWeights(
      'https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5',
      'b0042744bf5b25fce3cb969f33bebb97',
    ),
};
