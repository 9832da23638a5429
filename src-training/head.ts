// Builds the tfjs head from a HeadSpec. The trainable part (`top`) takes the pooled
// vector, so phase 1 can feed it cached pooled features; `full` prepends the pooling and
// appends the output activation, for phase 2 and export. `top` outputs logits: the loss
// is computed from logits, which is stable where log(softmax) is not.
import * as tf from '@tensorflow/tfjs';
import type { HeadSpec, LabelType } from '../src-shared/head-spec';

export interface Head {
  spec: HeadSpec;
  labelType: LabelType;
  /** Pooled (or flattened) feature vector -> logits. */
  top: tf.LayersModel;
  /** Feature map -> probabilities (softmax, or sigmoid for multi-label). */
  full: tf.LayersModel;
  /** Dense kernels, for the L2 penalty. */
  kernels: tf.LayerVariable[];
  /** Dropout layers: the trainer sets their seed per step so runs repeat exactly. */
  dropouts: Array<tf.layers.Layer & { seed?: number }>;
}

export interface HeadOptions {
  seed: number;
  /** `zeros` builds huge heads quickly when only their size matters. */
  init?: 'glorot' | 'zeros';
}

export function poolingLayer(pooling: HeadSpec['pooling']): tf.layers.Layer {
  switch (pooling) {
    case 'avg':
      return tf.layers.globalAveragePooling2d({ name: 'head_pool_avg' });
    case 'max':
      return tf.layers.globalMaxPooling2d({ name: 'head_pool_max' });
    case 'flatten':
      return tf.layers.flatten({ name: 'head_flatten' });
  }
}

function kernelInit(opts: HeadOptions, i: number): ReturnType<typeof tf.initializers.zeros> {
  return opts.init === 'zeros' ? tf.initializers.zeros() : tf.initializers.glorotUniform({ seed: opts.seed + i });
}

function buildTop(spec: HeadSpec, inUnits: number, classes: number, opts: HeadOptions): tf.LayersModel {
  const top = tf.sequential({ name: 'head_top' });
  let first = true;
  const shape = () => (first ? { inputShape: [inUnits] } : {});
  spec.layers.forEach((l, i) => {
    const name = `head_${i}_${l.kind}`;
    if (l.kind === 'dense')
      top.add(
        tf.layers.dense({
          ...shape(),
          name,
          units: l.units,
          activation: l.activation,
          kernelInitializer: kernelInit(opts, i),
        }),
      );
    if (l.kind === 'dropout') top.add(tf.layers.dropout({ ...shape(), name, rate: l.rate }));
    if (l.kind === 'batchnorm') top.add(tf.layers.batchNormalization({ ...shape(), name }));
    first = false;
  });
  top.add(
    tf.layers.dense({
      ...shape(),
      name: 'head_logits',
      units: classes,
      kernelInitializer: kernelInit(opts, spec.layers.length),
    }),
  );
  return top;
}

export function buildHead(
  spec: HeadSpec,
  featureShape: readonly [number, number, number],
  classes: number,
  labelType: LabelType,
  opts: HeadOptions,
): Head {
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`head: at least 2 classes are needed, got ${classes}`);
  const [h, w, c] = featureShape;
  const top = buildTop(spec, spec.pooling === 'flatten' ? h * w * c : c, classes, opts);
  const input = tf.input({ shape: [h, w, c], name: 'head_features' });
  const logits = top.apply(poolingLayer(spec.pooling).apply(input)) as tf.SymbolicTensor;
  const act = tf.layers.activation({ name: 'head_probs', activation: labelType === 'single' ? 'softmax' : 'sigmoid' });
  const full = tf.model({ inputs: input, outputs: act.apply(logits) as tf.SymbolicTensor, name: 'head' });
  return {
    spec,
    labelType,
    top,
    full,
    kernels: top.layers.filter((l) => l.getClassName() === 'Dense').map((l) => l.weights[0]!),
    dropouts: top.layers.filter((l) => l.getClassName() === 'Dropout'),
  };
}

export function l2Penalty(head: Head): tf.Scalar | null {
  if (head.spec.l2 === 0 || head.kernels.length === 0) return null;
  return tf.tidy(
    () => tf.mul(head.spec.l2, tf.addN(head.kernels.map((k) => tf.sum(tf.square(k.read()))))) as tf.Scalar,
  );
}
