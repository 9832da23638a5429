// Registration: how alike two reductions are once one is laid exactly over the other.
//
// A crop or a resize moves and scales the picture by a fraction of a pixel at 32x32, and a
// fraction of a pixel is enough to make a copy look no closer to its source than a
// look-alike does (a different shirt of the same cut). So before comparing, the second
// image is warped onto the first: a scale and a shift, found by Gauss-Newton (Lucas-Kanade)
// from the start their centres of mass and spreads give, together with the gain and offset
// that undo a brightness or contrast change. What remains is measured as 1 - correlation:
// about 0.001-0.005 for resized, brightened, re-encoded or 5 %-cropped copies, while the
// nearest different garment in Fashion-MNIST is typically 0.005-0.03 away and rarely closer
// than twice a copy's distance (bench/dupes.ts).
//
// Both images are lightly blurred first ([1 2 1] in each direction): it takes out the JPEG
// noise and the resampling phase that differ between copies, and makes the warp's cost
// smooth enough for Gauss-Newton.
import { SIDE } from './reduce';

const N = SIDE * SIDE;
const MAX_ITERATIONS = 12;
/** Fewer valid pixels than this (the warp pushed most of the image outside) means no match. */
const MIN_OVERLAP = 0.6 * N;

/** What registration needs of one image, computed once per image. */
export interface Registrable {
  /** The reduction, blurred once, row-major SIDE x SIDE. */
  image: Float32Array;
  /** Centre of mass and spread (radius of gyration) of the content against the background. */
  cx: number;
  cy: number;
  spread: number;
}

const clampIndex = (i: number) => (i < 0 ? 0 : i >= SIDE ? SIDE - 1 : i);

/** Separable [1 2 1]/4 blur, edges clamped. */
export function blur121(img: ArrayLike<number>): Float32Array {
  const tmp = new Float32Array(N);
  const out = new Float32Array(N);
  for (let y = 0; y < SIDE; y++) {
    const row = y * SIDE;
    for (let x = 0; x < SIDE; x++)
      tmp[row + x] = 0.25 * img[row + clampIndex(x - 1)] + 0.5 * img[row + x] + 0.25 * img[row + clampIndex(x + 1)];
  }
  for (let y = 0; y < SIDE; y++) {
    const [up, row, down] = [clampIndex(y - 1) * SIDE, y * SIDE, clampIndex(y + 1) * SIDE];
    for (let x = 0; x < SIDE; x++) out[row + x] = 0.25 * tmp[up + x] + 0.5 * tmp[row + x] + 0.25 * tmp[down + x];
  }
  return out;
}

/** The background level: the median of the border, which a plain backdrop dominates. */
export function borderLevel(img: ArrayLike<number>): number {
  const border: number[] = [];
  for (let i = 0; i < SIDE; i++)
    border.push(img[i], img[(SIDE - 1) * SIDE + i], img[i * SIDE], img[i * SIDE + SIDE - 1]);
  border.sort((a, b) => a - b);
  return border[border.length >> 1];
}

/** Centre of mass and radius of gyration of |img - background|; the image centre if it is flat. */
export function contentMoments(img: ArrayLike<number>): { cx: number; cy: number; spread: number } {
  const bg = borderLevel(img);
  let [mass, cx, cy] = [0, 0, 0];
  for (let i = 0; i < N; i++) {
    const w = Math.abs(img[i] - bg);
    mass += w;
    cx += w * (i % SIDE);
    cy += w * Math.floor(i / SIDE);
  }
  const mid = (SIDE - 1) / 2;
  if (mass < 1e-6) return { cx: mid, cy: mid, spread: SIDE / 4 };
  cx /= mass;
  cy /= mass;
  let spread = 0;
  for (let i = 0; i < N; i++)
    spread += Math.abs(img[i] - bg) * (((i % SIDE) - cx) ** 2 + (Math.floor(i / SIDE) - cy) ** 2);
  return { cx, cy, spread: Math.max(1, Math.sqrt(spread / mass)) };
}

export function registrable(reduction: Uint8Array): Registrable {
  if (reduction.length !== N)
    throw new Error(`expected a ${SIDE}x${SIDE} reduction (${N} bytes), got ${reduction.length}`);
  const image = blur121(reduction);
  return { image, ...contentMoments(image) };
}

/** Solves the 5x5 system m x = v in place (Gaussian elimination, partial pivoting); null if singular. */
function solve5(m: Float64Array, v: Float64Array): Float64Array | null {
  const n = 5;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (Math.abs(m[p * n + c]) < 1e-12) return null;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
      [v[c], v[p]] = [v[p], v[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      v[r] -= f * v[c];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let acc = v[r];
    for (let k = r + 1; k < n; k++) acc -= m[r * n + k] * x[k];
    x[r] = acc / m[r * n + r];
  }
  return x;
}

/**
 * One pass over `a`'s pixels with `b` warped by (scale, tx, ty): the correlation there, and
 * the Gauss-Newton normal equations for a step in (scale, tx, ty, gain, offset).
 */
function pass(
  a: Registrable,
  b: Registrable,
  scale: number,
  tx: number,
  ty: number,
  gain: number,
  offset: number,
  jtj: Float64Array,
  jtr: Float64Array,
): number {
  const A = a.image;
  const B = b.image;
  const bx = b.cx + tx;
  const by = b.cy + ty;
  // Plain scalars, not destructuring: this loop is where registration spends its time.
  let count = 0,
    sa = 0,
    sb = 0,
    saa = 0,
    sbb = 0,
    sab = 0;
  let m00 = 0,
    m01 = 0,
    m02 = 0,
    m03 = 0,
    m04 = 0,
    m11 = 0,
    m12 = 0,
    m13 = 0,
    m14 = 0,
    m22 = 0,
    m23 = 0,
    m24 = 0;
  let r0 = 0,
    r1 = 0,
    r2 = 0,
    r3 = 0,
    r4 = 0;
  for (let y = 0; y < SIDE; y++) {
    const dy = y - a.cy;
    const v = by + scale * dy;
    if (v < 0 || v > SIDE - 1) continue;
    const y0 = Math.min(SIDE - 2, Math.floor(v));
    const fy = v - y0;
    for (let x = 0; x < SIDE; x++) {
      const dx = x - a.cx;
      const u = bx + scale * dx;
      if (u < 0 || u > SIDE - 1) continue;
      const x0 = Math.min(SIDE - 2, Math.floor(u));
      const fx = u - x0;
      const o = y0 * SIDE + x0;
      const p00 = B[o];
      const p01 = B[o + 1];
      const p10 = B[o + SIDE];
      const p11 = B[o + SIDE + 1];
      const top = p00 + (p01 - p00) * fx;
      const bottom = p10 + (p11 - p10) * fx;
      const bw = top + (bottom - top) * fy;
      const gx = (p01 - p00) * (1 - fy) + (p11 - p10) * fy;
      const gy = bottom - top;
      const av = A[y * SIDE + x];
      count++;
      sa += av;
      sb += bw;
      saa += av * av;
      sbb += bw * bw;
      sab += av * bw;
      const r = av - gain * bw - offset;
      const js = gain * (gx * dx + gy * dy);
      const jx = gain * gx;
      const jy = gain * gy;
      // The upper triangle of J'J and J'r for J = (js, jx, jy, bw, 1), unrolled.
      m00 += js * js;
      m01 += js * jx;
      m02 += js * jy;
      m03 += js * bw;
      m04 += js;
      m11 += jx * jx;
      m12 += jx * jy;
      m13 += jx * bw;
      m14 += jx;
      m22 += jy * jy;
      m23 += jy * bw;
      m24 += jy;
      r0 += js * r;
      r1 += jx * r;
      r2 += jy * r;
      r3 += bw * r;
      r4 += r;
    }
  }
  jtj.set([
    m00,
    m01,
    m02,
    m03,
    m04,
    m01,
    m11,
    m12,
    m13,
    m14,
    m02,
    m12,
    m22,
    m23,
    m24,
    m03,
    m13,
    m23,
    sbb,
    sb,
    m04,
    m14,
    m24,
    sb,
    count,
  ]);
  jtr.set([r0, r1, r2, r3, r4]);
  if (count < MIN_OVERLAP) return -1;
  const va = saa - (sa * sa) / count;
  const vb = sbb - (sb * sb) / count;
  return va > 1e-9 && vb > 1e-9 ? (sab - (sa * sb) / count) / Math.sqrt(va * vb) : 0;
}

/**
 * 1 - the best correlation of `a` with `b` scaled and shifted onto it (gain and offset free):
 * 0 for the same picture, about 1 for unrelated ones. Not quite symmetric (the warp samples
 * `b` on `a`'s grid); the search registers each pair once.
 */
export function registeredDistance(a: Registrable, b: Registrable, giveUpAbove = 1): number {
  let scale = Math.min(2, Math.max(0.5, b.spread / a.spread));
  let [tx, ty] = [0, 0];
  let [gain, offset] = [1, 0];
  const jtj = new Float64Array(25);
  const jtr = new Float64Array(5);
  let best = pass(a, b, scale, tx, ty, gain, offset, jtj, jtr);
  if (best < 0) return 1;
  // Start from the gain and offset that fit best unwarped, so the first step is about geometry.
  {
    let [sa, sb, sab, sbb] = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      sa += a.image[i];
      sb += b.image[i];
      sab += a.image[i] * b.image[i];
      sbb += b.image[i] * b.image[i];
    }
    const vb = sbb - (sb * sb) / N;
    gain = vb > 1e-9 ? (sab - (sa * sb) / N) / vb : 1;
    offset = (sa - gain * sb) / N;
    pass(a, b, scale, tx, ty, gain, offset, jtj, jtr);
  }
  let step = 1;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    // Warping gains a copy a factor of 2-5 at most: a pair still this far after two steps is no match.
    if (it === 2 && 1 - best > giveUpAbove) break;
    for (let p = 0; p < 5; p++) jtj[p * 5 + p] *= 1 + 1e-6;
    const delta = solve5(jtj, jtr);
    if (!delta) break;
    const next = [
      scale + step * delta[0],
      tx + step * delta[1],
      ty + step * delta[2],
      gain + step * delta[3],
      offset + step * delta[4],
    ];
    if (next[0] < 0.5 || next[0] > 2) break;
    const c = pass(a, b, next[0], next[1], next[2], next[3], next[4], jtj, jtr);
    if (c > best) {
      best = c;
      [scale, tx, ty, gain, offset] = next;
      step = 1;
      if (Math.abs(delta[0]) < 1e-3 && Math.abs(delta[1]) < 1e-2 && Math.abs(delta[2]) < 1e-2) break;
    } else {
      // Overshot: back to the best point (recomputing its equations) and half the step.
      step /= 2;
      if (step < 0.1) break;
      pass(a, b, scale, tx, ty, gain, offset, jtj, jtr);
    }
  }
  return 1 - best;
}
