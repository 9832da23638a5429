// Whether a phase-2 run steps its batches data-parallel (shards.ts), and what the run
// records about it. Only on the CPU rung (plain one-thread wasm): a GPU backend runs one
// step across the device already, and the threaded wasm build (STUDIO_WASM_THREADS) is the
// other way of using the cores, so the two are not stacked.
import type * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../../src-shared/engine-protocol';
import type { MachineLoad, ShardChoice } from './machine-load';
import { Shards, shardRefusal, shardsWanted } from './shards';

export type ShardInfo = ShardChoice;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

export async function openShards(
  model: tf.LayersModel,
  classes: number,
  backend: BackendInfo,
  measure?: () => Promise<MachineLoad>,
): Promise<{ shards: Shards | null; info: ShardInfo }> {
  if (backend.name !== 'wasm') return { shards: null, info: { count: 1 } };
  if ((backend.versions.wasmThreads ?? '1') !== '1')
    return { shards: null, info: { count: 1, note: 'the threaded wasm build uses the cores instead' } };
  // Before the load is sampled: a refusal does not depend on it, and the sample takes a second.
  const refused = shardRefusal(model);
  if (refused) return { shards: null, info: { count: 1, note: `data-parallel step refused: ${refused}` } };
  const wanted = await shardsWanted(measure);
  if (wanted.count < 2) return { shards: null, info: wanted };
  try {
    const shards = await Shards.start(model, classes, wanted.count);
    return { shards, info: { count: shards.count } };
  } catch (err) {
    return { shards: null, info: { count: 1, note: `data-parallel step refused: ${firstLine(err)}` } };
  }
}
