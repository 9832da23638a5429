// Accumulates an ONNX graph: nodes in execution order, initializers kept as arrays
// until the end so a later layer (BatchNormalization after a convolution) can fold
// itself into weights already emitted.
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

// The package is CommonJS that assigns its namespace at run time, which Node's ESM
// loader cannot see as a named export: only the default import works.
export const onnx = onnxProto.onnx;
export type INodeProto = OnnxTypes.INodeProto;

const FLOAT = 1;
const INT64 = 7;

export type AttrValue = number | number[] | string | { float: number };

interface Initializer {
  dims: number[];
  data: Float32Array | BigInt64Array;
}

function attribute(name: string, value: AttrValue): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === 'object') return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.INT, i: value };
}

export class GraphBuilder {
  readonly nodes: INodeProto[] = [];
  readonly initializers = new Map<string, Initializer>();
  private readonly used = new Set<string>();

  /** Keeps names (the graph's inputs and outputs) from being handed out to layers. */
  constructor(reserved: string[]) {
    for (const name of reserved) this.used.add(name);
  }

  /** ONNX needs every value name unique within the graph. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** `exact`: the name was reserved for this node (a graph output) and is used as is. */
  node(opType: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}, exact = false): string {
    const out = exact ? name : this.unique(name);
    this.nodes.push({
      opType,
      input: inputs,
      output: [out],
      name: out,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  floats(name: string, data: ArrayLike<number>, dims: number[]): string {
    const id = this.unique(name);
    this.initializers.set(id, { dims, data: Float32Array.from(data) });
    return id;
  }

  scalar(name: string, value: number): string {
    return this.floats(name, [value], []);
  }

  int64s(name: string, data: number[]): string {
    const id = this.unique(name);
    this.initializers.set(id, { dims: [data.length], data: BigInt64Array.from(data.map(BigInt)) });
    return id;
  }

  /** The float data of an initializer, to rewrite in place (folding). */
  weights(name: string): Float32Array {
    const init = this.initializers.get(name);
    if (!init || !(init.data instanceof Float32Array)) throw new Error(`onnx export: no float initializer ${name}`);
    return init.data;
  }

  tensors(): OnnxTypes.ITensorProto[] {
    return [...this.initializers].map(([name, { dims, data }]) => ({
      name,
      dims,
      dataType: data instanceof Float32Array ? FLOAT : INT64,
      // ONNX raw data is little-endian, as are the machines the studio runs on.
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    }));
  }
}

/** A float tensor's value info; null dims (the batch) become a named symbolic dim. */
export function valueInfo(name: string, dims: Array<number | null>): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d, i) => (d == null ? { dimParam: i === 0 ? 'batch' : `d${i}` } : { dimValue: d })) },
      },
    },
  };
}
