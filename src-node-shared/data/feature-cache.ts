// Features on disk, one small file per (image, view), under a folder named by what
// produced them: backbone id and weights hash, input size, the layer they come from, the
// image decode's version, and for augmented views the augmentation settings. Later runs with the same key reuse them.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
    if (!/^[A-Za-z0-9_-]+$/.test(imageHash))
      throw new Error(`feature cache: image hash "${imageHash}" must be alphanumeric (it names a file)`);
    const name = view === 0 ? `${imageHash}-v0.f32` : `${imageHash}-v${view}-${variant}.f32`;
    return join(this.dir, imageHash.slice(0, 2), name);
  }

  /** Whether a whole value is stored; a short file is a write that never finished, and is missing. */
  has(imageHash: string, view: number, variant = ''): boolean {
    return statSync(this.path(imageHash, view, variant), { throwIfNoEntry: false })?.size === this.length * 4;
  }

  get(imageHash: string, view: number, variant = ''): Float32Array | null {
    if (!this.has(imageHash, view, variant)) return null;
    const out = new Float32Array(this.length);
    this.readInto(imageHash, view, variant, out, 0);
    return out;
  }

  /** Reads one stored value into `target` at `offset` (in values), with no copy in between. */
  readInto(imageHash: string, view: number, variant: string, target: Float32Array, offset: number): void {
    const p = this.path(imageHash, view, variant);
    const bytes = this.length * 4;
    let fd: number;
    try {
      fd = openSync(p, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new Error(
        `feature cache: ${p} is gone (was the cache cleared while a run read from it?); start the run again to recompute it`,
      );
    }
    try {
      const got =
        fstatSync(fd).size === bytes
          ? readSync(fd, new Uint8Array(target.buffer, target.byteOffset + offset * 4, bytes), 0, bytes, 0)
          : -1;
      if (got !== bytes)
        throw new Error(
          `feature cache: ${p} is not ${bytes} bytes long; delete it and start the run again to recompute it`,
        );
    } finally {
      closeSync(fd);
    }
  }

  put(imageHash: string, view: number, data: Float32Array, variant = ''): void {
    if (data.length !== this.length)
      throw new Error(`feature cache: expected ${this.length} values, got ${data.length}`);
    const p = this.path(imageHash, view, variant);
    mkdirSync(join(this.dir, imageHash.slice(0, 2)), { recursive: true });
    writeFileSync(`${p}.tmp`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    renameSync(`${p}.tmp`, p);
  }
}
