// A computed map on disk, in the project's cache folder: one JSON header (what it was
// computed from) and one binary file (the image ids as int32, then x, y as float32). Kept
// per backbone and input size; the feature cache's own tag and the images it covered say
// whether it still fits. Written beside its name and renamed, so a half-written map is
// never read.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MapHeader {
  backboneId: string;
  inputSize: number;
  /** The feature cache folder the features came from: its name carries the backbone's weights hash and the decode version. */
  featureTag: string;
  /** sha256 over every image's id and hash when it was computed. */
  imagesTag: string;
  count: number;
  fitted: number;
  computedAt: number;
  ms: number;
}

export interface StoredMap {
  header: MapHeader;
  ids: Int32Array;
  xy: Float32Array;
}

const base = (dir: string, backboneId: string, inputSize: number) =>
  join(dir, `${backboneId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${inputSize}`);

export function writeMap(dir: string, map: StoredMap): void {
  mkdirSync(dir, { recursive: true });
  const name = base(dir, map.header.backboneId, map.header.inputSize);
  const body = Buffer.concat([
    Buffer.from(map.ids.buffer, map.ids.byteOffset, map.ids.byteLength),
    Buffer.from(map.xy.buffer, map.xy.byteOffset, map.xy.byteLength),
  ]);
  writeFileSync(`${name}.bin.tmp`, body);
  renameSync(`${name}.bin.tmp`, `${name}.bin`);
  writeFileSync(`${name}.json.tmp`, JSON.stringify(map.header, null, 2));
  renameSync(`${name}.json.tmp`, `${name}.json`);
}

/** The stored map for this backbone and size; null when there is none or it does not read whole. */
export function readMap(dir: string, backboneId: string, inputSize: number): StoredMap | null {
  const name = base(dir, backboneId, inputSize);
  if (!existsSync(`${name}.json`) || !existsSync(`${name}.bin`)) return null;
  try {
    const header = JSON.parse(readFileSync(`${name}.json`, 'utf8')) as MapHeader;
    const body = readFileSync(`${name}.bin`);
    if (body.byteLength !== header.count * 12) return null;
    const copy = new Uint8Array(body).buffer;
    return {
      header,
      ids: new Int32Array(copy, 0, header.count),
      xy: new Float32Array(copy, header.count * 4, header.count * 2),
    };
  } catch {
    return null;
  }
}
