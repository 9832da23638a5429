// What went wrong with a file, in words a person can act on. Each reason says what the
// file is, why it was left out, and what to do about it.
import { extname } from 'node:path';
import type { ProblemKind } from '../../../src-shared/schemas';

export interface FileProblem {
  kind: ProblemKind;
  reason: string;
}

const FORMAT_NAMES: Record<string, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  heif: 'AVIF',
};

const EXT_FORMATS: Record<string, string> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.jpe': 'jpeg',
  '.jfif': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
  '.gif': 'gif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'heif',
};

/** Extensions the importer looks at; anything else in the folder is not an image to it. */
export const IMAGE_EXTENSIONS = new Set(Object.keys(EXT_FORMATS));

/** The formats accepted after decoding, whatever the extension said. */
export const ACCEPTED_FORMATS = new Set(Object.keys(FORMAT_NAMES));

export function formatName(format: string): string {
  return FORMAT_NAMES[format] ?? format.toUpperCase();
}

function nameFromExtension(path: string): string {
  const ext = extname(path).toLowerCase();
  return formatName(EXT_FORMATS[ext] ?? ext.slice(1));
}

const READ_ERRORS: Record<string, string> = {
  EACCES: 'permission denied. Give your user read access to the file (chmod/chown), then import again.',
  EPERM: 'the operating system refused access. Check the file’s permissions, then import again.',
  ENOENT: 'the file disappeared after it was found (moved or deleted during the import). Import again once it is back.',
  EISDIR: 'it is a folder with an image name. Rename it if that is a mistake.',
  EIO: 'the disk reported an input/output error. Check the drive, or copy the file somewhere else.',
};

export const reasons = {
  empty: (): FileProblem => ({
    kind: 'empty',
    reason: 'Empty file: it has 0 bytes, so there is no image in it. Re-export or re-download it, or delete it.',
  }),
  notAnImage: (path: string, actual?: string): FileProblem => ({
    kind: 'not-an-image',
    reason:
      `Not an image: the name says ${nameFromExtension(path)} but the contents are ${actual ? `${actual}, which the studio does not import` : 'not an image format the studio reads'}. ` +
      'Supported: JPEG, PNG, WebP, GIF, TIFF, AVIF. Convert it or remove it.',
  }),
  tooManyPixels: (width: number, height: number, limit: number): FileProblem => ({
    kind: 'too-large',
    reason:
      `Too large: ${width} x ${height} pixels (${Math.round((width * height) / 1e6)} megapixels) is over the ` +
      `${Math.round(limit / 1e6)}-megapixel limit that guards against decompression bombs. Downscale it, then import again.`,
  }),
  tooManyBytes: (bytes: number, limit: number): FileProblem => ({
    kind: 'too-large',
    reason: `Too large: the file is ${Math.round(bytes / 2 ** 20)} MiB, over the ${Math.round(limit / 2 ** 20)} MiB limit for one image. Downscale or recompress it, then import again.`,
  }),
  unreadable: (code: string | undefined): FileProblem => ({
    kind: 'unreadable',
    reason: `Can’t read the file: ${READ_ERRORS[code ?? ''] ?? `the system said ${code ?? 'an unknown error'}. Check the file and the disk, then import again.`}`,
  }),
  unreadableFolder: (code: string | undefined): FileProblem => ({
    kind: 'unreadable',
    reason: `Can’t open this folder (${code ?? 'unknown error'}), so nothing in it was imported. Check its permissions, then import again.`,
  }),
  brokenLink: (target: string): FileProblem => ({
    kind: 'unreadable',
    reason: `Broken link: it points to ${target}, which does not exist. Fix the link or remove it.`,
  }),
  linkLoop: (target: string): FileProblem => ({
    kind: 'symlink-loop',
    reason: `Link loop: this link leads back to ${target}, a folder that contains it, so it was not followed. Remove the link or point it elsewhere.`,
  }),
  linkOutside: (target: string, root: string): FileProblem => ({
    kind: 'link-outside',
    reason:
      `Link leads outside the chosen folder: it points to ${target}, which is outside ${root} and the folders chosen in this session, ` +
      'so it was not followed and nothing behind it was read. Choose that folder itself to import it, or copy the images into this folder.',
  }),
  selfLink: (): FileProblem => ({
    kind: 'symlink-loop',
    reason: 'Link loop: this link points (through other links) back to itself, so it leads nowhere. Remove it.',
  }),
  labelConflict: (firstPath: string, firstLabel: string, label: string): FileProblem => ({
    kind: 'label-conflict',
    reason:
      `Same image as ${firstPath}, which is labelled "${firstLabel}"; this copy is in "${label}". ` +
      `The image keeps "${firstLabel}". Delete the wrong copy, or relabel the image in the studio.`,
  }),
  splitConflict: (firstPath: string, firstSplit: string, split: string): FileProblem => ({
    kind: 'split-conflict',
    reason:
      `Same image as ${firstPath}, which is in the ${firstSplit} split; this copy is in ${split}. One image in two splits ` +
      `makes evaluation look better than it is, so it stays in ${firstSplit} only. Delete the extra copy.`,
  }),
};

const TRUNCATED = /premature end|truncated|unexpected end|end of (file|data|stream)|libpng read error/i;

/**
 * Whether the bytes stop before the format's own end marker. libvips's error text is
 * shared between threads and can lose the line saying "premature end" when several
 * images decode at once, so truncation is also told from the file itself.
 */
export function endsEarly(buf: Buffer, format: string): boolean {
  const end = (bytes: number[]) =>
    buf.length < bytes.length || !buf.subarray(buf.length - bytes.length).equals(Buffer.from(bytes));
  if (format === 'jpeg') return end([0xff, 0xd9]);
  if (format === 'png') return end([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  if (format === 'gif') return end([0x3b]);
  if (format === 'webp') return buf.length < 12 || buf.readUInt32LE(4) + 8 > buf.length;
  return false;
}

/** The format a file's first bytes announce, for files too damaged for sharp to say. */
export function sniffFormat(buf: Buffer): string | undefined {
  if (buf[0] === 0xff && buf[1] === 0xd8) return 'jpeg';
  if (buf.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'png';
  if (buf.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  if (buf.subarray(0, 4).toString('latin1') === 'RIFF' && buf.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'webp';
  return undefined;
}

/**
 * Turns a sharp/libvips failure into a problem; the decoder's own words are kept for
 * whoever debugs it. libvips's error text can carry several lines (decoder chatter such as
 * "source: bad seek to 960"), so the telling line is picked out.
 */
export function decodeProblem(err: unknown, path: string, format?: string, cutShort = false): FileProblem {
  const lines = (err instanceof Error ? err.message : String(err))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const text = lines.join('\n');
  const name = format ? formatName(format) : nameFromExtension(path);
  if (/unsupported image format/i.test(text)) return reasons.notAnImage(path);
  if (/pixel limit/i.test(text))
    return { kind: 'too-large', reason: `Too large: ${text}. Downscale it, then import again.` };
  const said =
    lines.find((l) => TRUNCATED.test(l)) ??
    lines.find((l) => /^vips/i.test(l)) ??
    lines[lines.length - 1] ??
    'no message';
  if (cutShort || TRUNCATED.test(text)) {
    return {
      kind: 'corrupt',
      reason: `Truncated ${name}: the file ends before the image data does. Re-export or re-download it. (decoder: ${said})`,
    };
  }
  return {
    kind: 'corrupt',
    reason: `Damaged ${name}: the image data can’t be decoded. Re-export or re-download it. (decoder: ${said})`,
  };
}
