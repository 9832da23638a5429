// Which encoding a text file is in, told from its bytes, so that a CSV saved by a spreadsheet as
// UTF-16 or Windows-1252 is refused with a name for what it is, instead of being read as
// mojibake that matches no path and no class. Only UTF-8 (with or without its BOM) is read.
// What a message says is the file's encoding and a byte offset, never its content.

export class EncodingError extends Error {
  override name = 'EncodingError';
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

const startsWith = (buf: Uint8Array, bytes: number[]) => bytes.every((b, i) => buf[i] === b);

/** A BOM of another Unicode encoding, by name. */
function foreignBom(buf: Uint8Array): string | null {
  if (startsWith(buf, [0xff, 0xfe, 0, 0])) return 'UTF-32 LE';
  if (startsWith(buf, [0, 0, 0xfe, 0xff])) return 'UTF-32 BE';
  if (startsWith(buf, [0xff, 0xfe])) return 'UTF-16 LE';
  if (startsWith(buf, [0xfe, 0xff])) return 'UTF-16 BE';
  return null;
}

/** UTF-16 without a BOM shows as NULs in every other byte of ASCII text. */
function nulPattern(buf: Uint8Array): string | null {
  const n = Math.min(buf.length, 4096);
  let [even, odd] = [0, 0];
  for (let i = 0; i < n; i++) {
    if (buf[i] !== 0) continue;
    if (i % 2 === 0) even++;
    else odd++;
  }
  if (even + odd === 0) return null;
  if (odd > n / 4 && even < odd / 8) return 'looks like UTF-16 LE';
  if (even > n / 4 && odd < even / 8) return 'looks like UTF-16 BE';
  return 'holds NUL bytes, so it looks like a binary file, not a CSV';
}

/** Length of the UTF-8 sequence starting at i, or 0 when it is not valid UTF-8 (overlong, surrogate, past U+10FFFF, cut short). */
function sequenceAt(buf: Uint8Array, i: number): number {
  const b = buf[i];
  if (b < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < buf.length && buf[i + k] >= lo && buf[i + k] <= hi;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  for (let i = 0; i < buf.length;) {
    const len = sequenceAt(buf, i);
    if (len === 0) return i;
    i += len;
  }
  return -1;
}

function lineAt(buf: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (buf[i] === 0x0a || (buf[i] === 0x0d && buf[i + 1] !== 0x0a)) line++;
  return line;
}

/** Bytes 0x80-0x9F are C1 controls in Latin-1 but letters and punctuation in Windows-1252. */
function singleByteGuess(buf: Uint8Array): string {
  return buf.some((b) => b >= 0x80 && b <= 0x9f) ? 'Windows-1252' : 'Latin-1 (ISO-8859-1) or Windows-1252';
}

/**
 * The file's text when it is UTF-8 (a BOM is dropped); otherwise throws an EncodingError naming
 * the encoding it looks like and saying to save it as UTF-8.
 */
export function decodeUtf8(buf: Uint8Array): string {
  const bom = foreignBom(buf);
  if (bom)
    throw new EncodingError(
      `the file is not UTF-8: it looks like ${bom} (it starts with that byte-order mark). Save it as UTF-8 (CSV UTF-8 in a spreadsheet) and import again`,
    );
  const body = startsWith(buf, UTF8_BOM) ? buf.subarray(3) : buf;
  const nul = nulPattern(body);
  if (nul)
    throw new EncodingError(
      `the file is not UTF-8 text: it ${nul}. Save it as UTF-8 (CSV UTF-8 in a spreadsheet) and import again`,
    );
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const at = bad + (body === buf ? 0 : 3);
    throw new EncodingError(
      `the file is not valid UTF-8 at byte ${at + 1} (line ${lineAt(buf, at)}); it looks like ${singleByteGuess(body)}. Save it as UTF-8 (CSV UTF-8 in a spreadsheet) and import again`,
    );
  }
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}
