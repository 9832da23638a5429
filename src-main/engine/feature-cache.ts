// Features on disk, one small file per (image, view), under a folder named by what
// produced them: backbone id and weights hash, input size, the layer they come from, the
// image decode's version, and for augmented views the augmentation settings. Later runs with the same key reuse them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECODE_VERSION } from './images';

export interface CacheKey {
  backboneId: string;
  /** sha256 of the backbone's weights: new weights never reuse old features. */
  backboneHash: string;
  inputSize: number;
  /** 'pool-avg', 'pool-max', 'flatten', or 'split-<layer>' for phase 2 activations. */
  point: string;
  /** Values per (image, view); checked on read. */
  length: number;
}

export class FeatureCache {
  readonly dir: string;
  private readonly length: number;

  constructor(root: string, key: CacheKey) {
    // The decode version is part of what produced the features: a new decode never reuses old ones.
    const stored = { ...key, decodeVersion: DECODE_VERSION };
    const tag = createHash('sha256').update(JSON.stringify(stored)).digest('hex').slice(0, 12);
    const safePoint = key.point.replace(/[^A-Za-z0-9_-]/g, '_');
    this.dir = join(root, `${key.backboneId}-${key.inputSize}-${safePoint}-${tag}`);
    this.length = key.length;
    mkdirSync(this.dir, { recursive: true });
    const meta = join(this.dir, 'key.json');
    if (!existsSync(meta)) writeFileSync(meta, JSON.stringify(stored, null, 2));
  }

  /** `variant` separates augmentation settings; view 0 (never augmented) has none. */
  path(imageHash: string, view: number, variant = ''): string {
    if (!/^[A-Za-z0-9_-]+$/.test(imageHash)) throw new Error(`feature cache: image hash "${imageHash}" must be alphanumeric (it names a file)`);
    const name = view === 0 ? `${imageHash}-v0.f32` : `${imageHash}-v${view}-${variant}.f32`;
    return join(this.dir, imageHash.slice(0, 2), name);
  }

  get(imageHash: string, view: number, variant = ''): Float32Array | null {
    const p = this.path(imageHash, view, variant);
    if (!existsSync(p)) return null;
    const buf = readFileSync(p);
    // A short file is a write that never finished: treat it as missing, it is recomputed.
    if (buf.byteLength !== this.length * 4) return null;
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }

  put(imageHash: string, view: number, data: Float32Array, variant = ''): void {
    if (data.length !== this.length) throw new Error(`feature cache: expected ${this.length} values, got ${data.length}`);
    const p = this.path(imageHash, view, variant);
    mkdirSync(join(this.dir, imageHash.slice(0, 2)), { recursive: true });
    writeFileSync(`${p}.tmp`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    renameSync(`${p}.tmp`, p);
  }
}
