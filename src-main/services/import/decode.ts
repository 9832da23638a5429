// Decodes one image with sharp: checks what it really is, and makes its thumbnail unless
// an earlier (perhaps killed) import already did. Bad input becomes a FileProblem; only
// failures of our own disk (writing the thumbnail) throw, since every file would hit them.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { IMAGE_BACKGROUND } from '../../../src-shared/image-background';
import { THUMB_SIDE, thumbFile } from '../project/thumbs';
import { stagedFile } from '../project/thumb-staging';
import {
  ACCEPTED_FORMATS,
  decodeProblem,
  endsEarly,
  formatName,
  reasons,
  sniffFormat,
  type FileProblem,
} from './reasons';

/** Pillow's decompression-bomb threshold (2 x 89.5 MP): bigger than any camera, far below what exhausts memory. */
export const PIXEL_LIMIT = 178_956_970;

export interface DecodedImage {
  width: number;
  height: number;
  format: string;
}

/**
 * A file that cannot be imported, and the same problem worded for another file with the same
 * bytes: its name may say another format ("the name says PNG", not the first copy's JPEG).
 */
export type DecodeFailure = { ok: false } & FileProblem & { forPath: (path: string) => FileProblem };

export type DecodeResult = ({ ok: true } & DecodedImage) | DecodeFailure;

function failure(path: string, forPath: (path: string) => FileProblem): DecodeFailure {
  return { ok: false, ...forPath(path), forPath };
}

/** Our own disk failed (full, read-only, removed): no fault of the image, and every image would hit it. */
export class ThumbWriteError extends Error {
  readonly diskFull: boolean;
  constructor(file: string, cause: Error) {
    const full = (cause as NodeJS.ErrnoException).code === 'ENOSPC' || /no space left/i.test(cause.message);
    super(
      full
        ? `disk full: could not write the thumbnail ${file} (no space left on the device). Free some space on that disk, then import again; what was stored stays.`
        : `Could not write the thumbnail ${file}: ${cause.message.split('\n')[0]}. Check that the project folder is writable and the disk has space, then import again.`,
    );
    this.diskFull = full;
  }
}

export class ThumbWriter {
  readonly #madeDirs = new Set<string>();
  /**
   * staged: a thumbnail waits in thumbs/.tmp until `publish` (its row committed) or
   * `discard` (it never will); see thumb-staging.ts.
   */
  constructor(
    readonly thumbsDir: string,
    readonly opts: { staged?: boolean } = {},
  ) {}

  /**
   * Encodes the thumbnail to a temp file, then renames it into place (or to its staged
   * name): a thumbnail on disk is always whole, even after a kill. sharp writes the file on
   * its own thread, and the existence check and rename are quick metadata calls done
   * synchronously: each async fs call would queue on libuv's pool behind the decodes
   * (measured: 10-15% of throughput).
   */
  async write(hash: string, pipeline: Sharp): Promise<void> {
    const tmp = stagedFile(this.thumbsDir, hash, 'tmp');
    try {
      await pipeline.toFile(tmp);
    } catch (err) {
      // libvips names the output file when it cannot write it; otherwise the input was bad.
      if (err instanceof Error && err.message.includes(tmp)) {
        removeQuietly(tmp);
        throw new ThumbWriteError(tmp, err);
      }
      throw err;
    }
    this.#move(tmp, this.opts.staged ? stagedFile(this.thumbsDir, hash, 'ready') : this.#target(hash));
  }

  /** The image's row committed: its staged thumbnail goes into place. */
  publish(hash: string): void {
    const ready = stagedFile(this.thumbsDir, hash, 'ready');
    if (existsSync(ready)) this.#move(ready, this.#target(hash));
  }

  /** The image's row will not be stored: its staged thumbnail goes. */
  discard(hash: string): void {
    removeQuietly(stagedFile(this.thumbsDir, hash, 'ready'));
  }

  exists(hash: string): boolean {
    return (
      existsSync(thumbFile(this.thumbsDir, hash)) ||
      (this.opts.staged === true && existsSync(stagedFile(this.thumbsDir, hash, 'ready')))
    );
  }

  #target(hash: string): string {
    const file = thumbFile(this.thumbsDir, hash);
    const dir = dirname(file);
    if (!this.#madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.#madeDirs.add(dir);
    }
    return file;
  }

  #move(from: string, to: string): void {
    try {
      renameSync(from, to);
    } catch (err) {
      throw new ThumbWriteError(to, err as Error);
    }
  }
}

/** Cleaning up after a failure must not hide that failure; the next open sweeps what is left. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // The folder itself is gone or unwritable: nothing to remove.
  }
}

export async function decodeImage(buf: Buffer, path: string, hash: string, thumbs: ThumbWriter): Promise<DecodeResult> {
  let meta: Metadata;
  try {
    // Reads the header only: cheap. sharp's own pixel limit is off here so the check
    // below can name the real dimensions; it is back on for decoding.
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    const format = sniffFormat(buf);
    const cut = format !== undefined && endsEarly(buf, format);
    return failure(path, (p) => decodeProblem(err, p, format, cut));
  }
  const { format, width, height } = meta;
  if (!ACCEPTED_FORMATS.has(format)) return failure(path, (p) => reasons.notAnImage(p, formatName(format)));
  if (width * height > PIXEL_LIMIT) return failure(path, () => reasons.tooManyPixels(width, height, PIXEL_LIMIT));
  // Stored after EXIF orientation: the size a person (and the model) sees.
  const image = { width: meta.autoOrient.width, height: meta.autoOrient.height, format: formatOf(meta) };
  // A thumbnail already there was made by an import killed before its row was committed.
  if (thumbs.exists(hash)) return { ok: true, ...image };
  try {
    await thumbs.write(hash, thumbnail(buf));
  } catch (err) {
    if (err instanceof ThumbWriteError) throw err;
    const cut = endsEarly(buf, format);
    return failure(path, (p) => decodeProblem(err, p, format, cut));
  }
  return { ok: true, ...image };
}

/** libvips calls AVIF (AV1 in a HEIF box) "heif"; people know it as AVIF. */
function formatOf(meta: Metadata): string {
  if (meta.format !== 'heif') return meta.format;
  return meta.compression === 'av1' ? 'avif' : 'heic';
}

/** JPEG rather than WebP: encoding a 256 px WebP cost as much again as decoding the photo. */
export function thumbnail(input: Buffer | string): Sharp {
  // JPEG's shrink-on-load makes the decoder do most of the downscaling for us.
  return sharp(input, { limitInputPixels: PIXEL_LIMIT, autoOrient: true })
    .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: IMAGE_BACKGROUND })
    .jpeg({ quality: 80, optimiseCoding: false });
}
