// Multiply-accumulates per image of a tfjs layers model, and the FMA peak of this
// machine's cores, for bench/extract's "fraction of peak". Only the layers that do the
// work count (convolutions and dense); batch norm, activations, pooling and adds are a
// few percent of a CNN's arithmetic and are left out, so the fraction is a lower bound.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

type Shape = Array<number | null>;

const prod = (s: Shape) => s.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
const lastDim = (s: Shape) => s[s.length - 1]!;

/** The first call's tensors: a layer called again (a split model) costs the same. */
function io(layer: tf.layers.Layer): { input: Shape; output: Shape } {
  const node = layer.inboundNodes[0] as unknown as {
    inputTensors: tf.SymbolicTensor[];
    outputTensors: tf.SymbolicTensor[];
  };
  return { input: node.inputTensors[0]!.shape, output: node.outputTensors[0]!.shape };
}

/** MACs one call of `layer` costs per image: output elements x work per element. */
export function layerMacs(layer: tf.layers.Layer): number {
  if (!['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense'].includes(layer.getClassName())) return 0;
  const cfg = layer.getConfig() as { kernelSize?: number[]; depthMultiplier?: number };
  const { input, output: out } = io(layer);
  const inChannels = lastDim(input)!;
  const [kh, kw] = cfg.kernelSize ?? [1, 1];
  switch (layer.getClassName()) {
    case 'Conv2D':
      return prod(out) * kh! * kw! * inChannels;
    case 'DepthwiseConv2D':
      return prod(out) * kh! * kw!;
    case 'SeparableConv2D': {
      const [, h, w] = out;
      return h! * w! * inChannels * (cfg.depthMultiplier ?? 1) * (kh! * kw! + lastDim(out)!);
    }
    case 'Dense':
      return prod(out) * inChannels;
    default:
      return 0;
  }
}

/** Sum over the model's layers (nested models included) of layerMacs. */
export function modelMacs(model: tf.LayersModel): number {
  return model.layers.reduce((sum, l) => sum + (l instanceof tf.LayersModel ? modelMacs(l) : layerMacs(l)), 0);
}

export interface FmaPeak {
  /** MACs per second over every core. */
  macsPerSecond: number;
  lanes: number;
  units: number;
  mhz: number;
  cores: number;
  assumptions: string;
}

/** From /proc/cpuinfo: SIMD width from the flags, the clock from 'cpu MHz', times the cores. */
export function fmaPeak(cpuinfo = readFileSync('/proc/cpuinfo', 'utf8'), cores = availableParallelism()): FmaPeak {
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '').split(/\s+/));
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)$/m.exec(cpuinfo)?.[1] ?? NaN);
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown CPU';
  const [lanes, isa] = flags.has('avx512f')
    ? [16, 'AVX-512']
    : flags.has('avx2') && flags.has('fma')
      ? [8, 'AVX2+FMA']
      : [4, 'SSE (no FMA: a mul and an add per lane)'];
  const units = 2;
  return {
    macsPerSecond: lanes * units * mhz * 1e6 * cores,
    lanes,
    units,
    mhz,
    cores,
    assumptions: `${model}: ${isa} -> ${lanes} float32 lanes x ${units} FMA units x ${mhz} MHz ('cpu MHz', no turbo) x ${cores} cores (os.availableParallelism(); SMT siblings would share units)`,
  };
}
