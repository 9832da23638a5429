// Pooling and zero padding on NCHW values.
import { config, pair, spatialAttrs } from './layout';
import type { Converter } from './layout';

function pool(op: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx, layer, [input]) => {
    const c = config(layer);
    const kernel = pair(c.poolSize);
    const attrs: Record<string, number | number[] | string> = {
      ...spatialAttrs(input!, kernel, pair(c.strides ?? kernel), [1, 1], String(c.padding)),
    };
    // TensorFlow averages over the window's pixels inside the image only ('same' edges).
    if (op === 'AveragePool') attrs.count_include_pad = 0;
    return ctx.g.node(op, [input!.name], layer.name, attrs);
  };
}

export const maxPooling2d = pool('MaxPool');
export const averagePooling2d = pool('AveragePool');

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter {
  return (ctx, layer, [input]) => {
    if (config(layer).keepDims === true)
      throw new Error(
        `onnx export: layer ${layer.name} (${layer.getClassName()}) keeps its dims, which is not supported`,
      );
    return ctx.g.node('Flatten', [ctx.g.node(op, [input!.name], `${layer.name}/pool`)], layer.name, { axis: 1 });
  };
}

export const globalAveragePooling2d = globalPool('GlobalAveragePool');
export const globalMaxPooling2d = globalPool('GlobalMaxPool');

export const zeroPadding2d: Converter = (ctx, layer, [input]) => {
  const p = config(layer).padding;
  const [[top, bottom], [left, right]] = (Array.isArray(p) ? p.map((d) => pair(d)) : [pair(p), pair(p)]) as number[][];
  const pads = ctx.g.int64s(`${layer.name}/pads`, [0, 0, top!, left!, 0, 0, bottom!, right!]);
  return ctx.g.node('Pad', [input!.name, pads], layer.name, { mode: 'constant' });
};
