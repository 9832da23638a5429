// The detail descriptor: what confirms that two images are copies rather than look-alikes.
//
// Global hashes see shape; two different shirts photographed the same way share it. What a
// copy keeps and a look-alike lacks is the fine detail: print, texture, seams. So the
// reduction is first brought to a canonical position and scale (its centre of mass centred,
// its spread fixed), which undoes most of the shift and zoom a crop or a resize caused;
// then the coarse shape is subtracted (a blur of itself), and what remains is compared by
// normalised correlation: 1 for the same picture, about 0 for unrelated ones, and
// unaffected by brightness and contrast.
import { SIDE } from './reduce';

const N = SIDE * SIDE;
/** Typical spread (radius of gyration, in reduction pixels) that canonical scaling aims for. */
const TARGET_SPREAD = 9;

function sample(img: Float64Array, x: number, y: number): number {
  const cx = Math.min(SIDE - 1, Math.max(0, x));
  const cy = Math.min(SIDE - 1, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(SIDE - 1, x0 + 1);
  const y1 = Math.min(SIDE - 1, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const top = img[y0 * SIDE + x0] * (1 - fx) + img[y0 * SIDE + x1] * fx;
  const bottom = img[y1 * SIDE + x0] * (1 - fx) + img[y1 * SIDE + x1] * fx;
  return top * (1 - fy) + bottom * fy;
}

/** The background level: the median of the border, which a plain backdrop dominates. */
function borderLevel(img: Float64Array): number {
  const border: number[] = [];
  for (let i = 0; i < SIDE; i++) border.push(img[i], img[(SIDE - 1) * SIDE + i], img[i * SIDE], img[i * SIDE + SIDE - 1]);
  border.sort((a, b) => a - b);
  return border[border.length >> 1];
}

/** Recentres and rescales so the content's centre of mass and spread are the same for every copy. */
export function canonicalize(img: Float64Array): Float64Array {
  const bg = borderLevel(img);
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < N; i++) {
    const w = Math.abs(img[i] - bg);
    mass += w;
    cx += w * (i % SIDE);
    cy += w * Math.floor(i / SIDE);
  }
  if (mass < 1e-6) return img;
  cx /= mass;
  cy /= mass;
  let spread = 0;
  for (let i = 0; i < N; i++) spread += Math.abs(img[i] - bg) * ((i % SIDE) - cx) ** 2 + Math.abs(img[i] - bg) * (Math.floor(i / SIDE) - cy) ** 2;
  // Clamped: a tiny or diffuse subject must not be blown up or shrunk into meaninglessness.
  const scale = Math.min(1.25, Math.max(0.8, Math.sqrt(spread / mass) / TARGET_SPREAD));
  const out = new Float64Array(N);
  const mid = (SIDE - 1) / 2;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) out[y * SIDE + x] = sample(img, cx + (x - mid) * scale, cy + (y - mid) * scale);
  }
  return out;
}

/** Separable [1 2 1]/4 blur, edges clamped. */
function blur(img: Float64Array): Float64Array {
  const tmp = new Float64Array(N);
  const out = new Float64Array(N);
  const at = (i: number) => Math.min(SIDE - 1, Math.max(0, i));
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) tmp[y * SIDE + x] = 0.25 * img[y * SIDE + at(x - 1)] + 0.5 * img[y * SIDE + x] + 0.25 * img[y * SIDE + at(x + 1)];
  }
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) out[y * SIDE + x] = 0.25 * tmp[at(y - 1) * SIDE + x] + 0.5 * tmp[y * SIDE + x] + 0.25 * tmp[at(y + 1) * SIDE + x];
  }
  return out;
}

/** The descriptor: canonical detail, zero mean, quantised to int8 (1,024 bytes). */
export function detailDescriptor(reduction: Uint8Array): Int8Array {
  if (reduction.length !== N) throw new Error(`expected a ${SIDE}x${SIDE} reduction (${N} bytes), got ${reduction.length}`);
  const canon = canonicalize(Float64Array.from(reduction));
  // Three passes approximate a Gaussian of about 1.2 px: what is left is texture and edges.
  const coarse = blur(blur(blur(canon)));
  const hp = new Float64Array(N);
  let mean = 0;
  for (let i = 0; i < N; i++) mean += hp[i] = canon[i] - coarse[i];
  mean /= N;
  let peak = 0;
  for (let i = 0; i < N; i++) peak = Math.max(peak, Math.abs((hp[i] -= mean)));
  const q = new Int8Array(N);
  if (peak > 1e-9) for (let i = 0; i < N; i++) q[i] = Math.round((hp[i] / peak) * 127);
  return q;
}

/** Normalised correlation of two descriptors, in [-1, 1]; 0 when either is flat. */
export function detailSimilarity(a: Int8Array, b: Int8Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}
