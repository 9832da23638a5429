// Checkpoints as two files: weights.json (names and shapes, in order) and weights.bin
// (float32, concatenated). Only what trains is saved: head and unfrozen blocks.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WeightSnapshot } from './callbacks/types';

interface WeightIndex {
  weights: Array<{ name: string; shape: number[] }>;
  meta?: Record<string, unknown>;
}

export async function saveSnapshot(dir: string, snap: WeightSnapshot, meta?: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = [...snap.entries()];
  const total = entries.reduce((n, [, w]) => n + w.values.length, 0);
  const bin = new Float32Array(total);
  let at = 0;
  for (const [, w] of entries) {
    bin.set(w.values, at);
    at += w.values.length;
  }
  const index: WeightIndex = { weights: entries.map(([name, w]) => ({ name, shape: w.shape })), meta };
  // Both files go through a rename so a killed process leaves the previous checkpoint whole.
  await writeFile(join(dir, 'weights.bin.tmp'), new Uint8Array(bin.buffer));
  await writeFile(join(dir, 'weights.json.tmp'), JSON.stringify(index, null, 1));
  await rename(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'));
  await rename(join(dir, 'weights.json.tmp'), join(dir, 'weights.json'));
}

export async function loadSnapshot(dir: string): Promise<WeightSnapshot> {
  const index = JSON.parse(await readFile(join(dir, 'weights.json'), 'utf8')) as WeightIndex;
  const buf = await readFile(join(dir, 'weights.bin'));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const snap: WeightSnapshot = new Map();
  let at = 0;
  for (const w of index.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (at + n > all.length)
      throw new Error(`${join(dir, 'weights.bin')} is shorter than weights.json says; the checkpoint is damaged`);
    snap.set(w.name, { shape: w.shape, values: all.slice(at, at + n) });
    at += n;
  }
  return snap;
}
