// Perceptual hashes of a 32x32 reduction (see reduce.ts), each 64 bits as an unsigned bigint.
//
// - `dctHash`: the classic pHash. The 64 lowest DCT frequencies (DC skipped: it is only
//   brightness), one bit each, set when above their median, so a brightness or contrast
//   change leaves it alone and resizing or JPEG re-encoding moves few bits.
// - `spectrumHash`: the same recipe on the magnitudes of the 64 lowest 2-D Fourier
//   frequencies. A magnitude does not change when the picture shifts, so a slightly cropped
//   copy, whose content moved by a pixel or two, stays close where the DCT hash does not.
//
// Seen alone, 64 bits cannot tell apart two centred, similarly shaped objects (two plain
// trousers); duplicates.ts therefore uses both hashes only to find candidates and confirms
// them with the detail descriptor (detail.ts).
import { SIDE } from './reduce';

/** DCT positions (u, v) in increasing frequency u + v, DC left out. */
const DCT_ORDER = (() => {
  const out: Array<[number, number]> = [];
  for (let sum = 1; out.length < 64; sum++) for (let u = 0; u <= sum && out.length < 64; u++) out.push([u, sum - u]);
  return out;
})();
const DCT_MAX = Math.max(...DCT_ORDER.flat()) + 1;
const DCT_COS = (() => {
  const t = new Float64Array(DCT_MAX * SIDE);
  for (let u = 0; u < DCT_MAX; u++)
    for (let x = 0; x < SIDE; x++) t[u * SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIDE));
  return t;
})();

/** Fourier positions (u >= 0 half plane, so no frequency is counted twice) by increasing radius. */
const DFT_ORDER = (() => {
  const all: Array<[number, number]> = [];
  for (let u = 0; u <= 8; u++) for (let v = -8; v <= 8; v++) if (u > 0 || v > 0) all.push([u, v]);
  all.sort((a, b) => a[0] ** 2 + a[1] ** 2 - (b[0] ** 2 + b[1] ** 2) || a[0] - b[0] || a[1] - b[1]);
  return all.slice(0, 64);
})();
const DFT_U = Math.max(...DFT_ORDER.map(([u]) => u)) + 1;
/** e^(-2 pi i m / SIDE) for m = 0..SIDE-1: every twiddle factor is one of these. */
const TW_RE = Float64Array.from({ length: SIDE }, (_, m) => Math.cos((2 * Math.PI * m) / SIDE));
const TW_IM = Float64Array.from({ length: SIDE }, (_, m) => -Math.sin((2 * Math.PI * m) / SIDE));
const twiddle = (k: number) => ((k % SIDE) + SIDE) % SIDE;

/** One bit per value, set when above the values' median: invariant to scale and offset. */
export function medianBits(values: Float64Array): bigint {
  const median = Float64Array.from(values).sort()[values.length >> 1];
  let bits = 0n;
  for (let i = 0; i < values.length; i++) if (values[i] > median) bits |= 1n << BigInt(i);
  return bits;
}

function checkReduction(r: Uint8Array): void {
  if (r.length !== SIDE * SIDE)
    throw new Error(`expected a ${SIDE}x${SIDE} reduction (${SIDE * SIDE} bytes), got ${r.length}`);
}

export function dctHash(reduction: Uint8Array): bigint {
  checkReduction(reduction);
  // Separable: rows first, and only the few frequencies the hash keeps.
  const partial = new Float64Array(SIDE * DCT_MAX);
  for (let y = 0; y < SIDE; y++) {
    for (let u = 0; u < DCT_MAX; u++) {
      let acc = 0;
      for (let x = 0; x < SIDE; x++) acc += reduction[y * SIDE + x] * DCT_COS[u * SIDE + x];
      partial[y * DCT_MAX + u] = acc;
    }
  }
  const coeffs = new Float64Array(64);
  DCT_ORDER.forEach(([u, v], i) => {
    let acc = 0;
    for (let y = 0; y < SIDE; y++) acc += partial[y * DCT_MAX + u] * DCT_COS[v * SIDE + y];
    coeffs[i] = acc;
  });
  return medianBits(coeffs);
}

export function spectrumHash(reduction: Uint8Array): bigint {
  checkReduction(reduction);
  const re = new Float64Array(SIDE * DFT_U);
  const im = new Float64Array(SIDE * DFT_U);
  for (let y = 0; y < SIDE; y++) {
    for (let u = 0; u < DFT_U; u++) {
      let a = 0;
      let b = 0;
      for (let x = 0; x < SIDE; x++) {
        const m = (u * x) % SIDE;
        a += reduction[y * SIDE + x] * TW_RE[m];
        b += reduction[y * SIDE + x] * TW_IM[m];
      }
      re[y * DFT_U + u] = a;
      im[y * DFT_U + u] = b;
    }
  }
  const mags = new Float64Array(64);
  DFT_ORDER.forEach(([u, v], i) => {
    let a = 0;
    let b = 0;
    for (let y = 0; y < SIDE; y++) {
      const m = twiddle(v * y);
      const c = TW_RE[m];
      const s = TW_IM[m];
      a += re[y * DFT_U + u] * c - im[y * DFT_U + u] * s;
      b += re[y * DFT_U + u] * s + im[y * DFT_U + u] * c;
    }
    mags[i] = Math.hypot(a, b);
  });
  return medianBits(mags);
}

/** Bits that differ between two 64-bit hashes. */
export function hammingDistance(a: bigint, b: bigint): number {
  let x = BigInt.asUintN(64, a ^ b);
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/** 16 hex digits: how a hash is stored (SQLite's INTEGER is signed, hex keeps it readable). */
export function hashToHex(hash: bigint): string {
  return BigInt.asUintN(64, hash).toString(16).padStart(16, '0');
}

export function hashFromHex(hex: string): bigint {
  if (!/^[0-9a-f]{16}$/i.test(hex)) throw new Error(`not a 64-bit hash: '${hex}'`);
  return BigInt(`0x${hex}`);
}
