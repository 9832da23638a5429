// The classification head as data. The editor shows its parameter count and weight-file
// size live from this file, before anything is built, so a Flatten + Dense head on a
// big feature map (seed 000: 2.7 GB) is seen for what it is. Pure: the UI imports it.
import { z } from 'zod';

export const Activation = z.enum(['relu', 'relu6', 'elu', 'selu', 'gelu', 'swish', 'tanh', 'sigmoid', 'linear']);
export type Activation = z.infer<typeof Activation>;

export const HeadLayer = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('dense'),
      units: z.number().int().min(1).max(65536),
      activation: Activation.default('relu'),
    })
    .strict(),
  z.object({ kind: z.literal('dropout'), rate: z.number().min(0).max(0.95) }).strict(),
  z.object({ kind: z.literal('batchnorm') }).strict(),
]);
export type HeadLayer = z.infer<typeof HeadLayer>;

export const Pooling = z.enum(['avg', 'max', 'flatten']);
export type Pooling = z.infer<typeof Pooling>;

export const HeadSpec = z
  .object({
    /** Global average pooling is the default: Flatten multiplies the first layer by h*w. */
    pooling: Pooling.default('avg'),
    layers: z.array(HeadLayer).max(16).default([]),
    /** L2 factor on every dense kernel (Keras' `l2(x)`: x * sum(w^2) added to the loss). */
    l2: z.number().min(0).max(1).default(0),
  })
  .strict();
export type HeadSpec = z.infer<typeof HeadSpec>;
export type HeadSpecInput = z.input<typeof HeadSpec>;

export const LabelType = z.enum(['single', 'multi']);
export type LabelType = z.infer<typeof LabelType>;

export interface HeadLayerSize {
  name: string;
  outputUnits: number;
  params: number;
  trainable: number;
}

export interface HeadSize {
  layers: HeadLayerSize[];
  /** What tfjs' countParams() reports: every weight, moving statistics included. */
  params: number;
  trainableParams: number;
  /** float32 weight file of the head alone. */
  weightBytes: number;
  /** With Adam's two moment slots per trainable weight, as a checkpoint with optimizer state holds. */
  weightBytesWithAdam: number;
  warnings: string[];
}

const BYTES = 4;

function pooledUnits(pooling: Pooling, [h, w, c]: readonly [number, number, number]): number {
  return pooling === 'flatten' ? h * w * c : c;
}

function layerSize(layer: HeadLayer, inUnits: number): HeadLayerSize {
  switch (layer.kind) {
    case 'dense': {
      const p = inUnits * layer.units + layer.units;
      return { name: `dense ${layer.units} ${layer.activation}`, outputUnits: layer.units, params: p, trainable: p };
    }
    case 'dropout':
      return { name: `dropout ${layer.rate}`, outputUnits: inUnits, params: 0, trainable: 0 };
    case 'batchnorm':
      // gamma and beta train; the moving mean and variance are stored but not trained.
      return { name: 'batchnorm', outputUnits: inUnits, params: 4 * inUnits, trainable: 2 * inUnits };
  }
}

/** The head's size, from the backbone's feature map [h, w, c] and the number of classes. */
export function headSize(spec: HeadSpec, featureShape: readonly [number, number, number], classes: number): HeadSize {
  const layers: HeadLayerSize[] = [];
  let units = pooledUnits(spec.pooling, featureShape);
  layers.push({ name: `${spec.pooling} pooling`, outputUnits: units, params: 0, trainable: 0 });
  for (const l of spec.layers) {
    const s = layerSize(l, units);
    layers.push(s);
    units = s.outputUnits;
  }
  const out = units * classes + classes;
  layers.push({ name: `dense ${classes} output`, outputUnits: classes, params: out, trainable: out });
  const params = layers.reduce((n, l) => n + l.params, 0);
  const trainableParams = layers.reduce((n, l) => n + l.trainable, 0);
  return {
    layers,
    params,
    trainableParams,
    weightBytes: params * BYTES,
    weightBytesWithAdam: (params + 2 * trainableParams) * BYTES,
    warnings: headWarnings(spec, featureShape, params),
  };
}

function headWarnings(spec: HeadSpec, [h, w, c]: readonly [number, number, number], params: number): string[] {
  const out: string[] = [];
  if (spec.pooling === 'flatten' && h * w > 1) {
    out.push(
      `Flatten on a ${h}x${w}x${c} feature map feeds ${h * w * c} values to the first layer; global average pooling feeds ${c} and usually generalises better on small datasets`,
    );
  }
  if (params > 20_000_000)
    out.push(`the head alone has ${params.toLocaleString('en')} parameters; on a few thousand images it will overfit`);
  return out;
}
