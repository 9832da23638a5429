// Drawing the map: every point is a few pixels written straight into one ImageData buffer,
// so 200,000 points cost one pass over a typed array per frame and one putImageData, with
// no GPU needed (the end-to-end tests run Chromium without one). Colours are packed once per
// change of colouring, not per frame.
import type { ClassInfo } from '../../src-shared/schemas';
import type { PointLayers } from './map-data';
import type { ColourBy } from './state/map.svelte';

export interface View {
  /** The world point at the canvas' centre, and pixels per world unit. */
  cx: number;
  cy: number;
  scale: number;
}

/** 0xAABBGGRR, the byte order of ImageData on little-endian machines. */
export function packed(hex: string, alpha = 255): number {
  const v = Number.parseInt(hex.slice(1, 7), 16);
  return ((alpha << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
}

const GREY = packed('#9aa0a6');
const SPLIT_COLOURS = [GREY, packed('#4c8bf5'), packed('#f5a742'), packed('#c74cf5')];
const CLUSTER_COLOURS = [packed('#c8ccd0'), packed('#f5a742'), packed('#e0403a')];

export function fitView(xy: Float32Array, width: number, height: number): View {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    minX = Math.min(minX, xy[i]!);
    maxX = Math.max(maxX, xy[i]!);
    minY = Math.min(minY, xy[i + 1]!);
    maxY = Math.max(maxY, xy[i + 1]!);
  }
  if (!Number.isFinite(minX)) return { cx: 0, cy: 0, scale: 1 };
  const span = Math.max(maxX - minX, maxY - minY, 1e-6);
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, scale: (0.9 * Math.min(width, height)) / span };
}

/** Each point's colour under the chosen colouring. */
export function pointColours(layers: PointLayers, by: ColourBy, classes: ClassInfo[]): Uint32Array {
  const n = layers.classId.length;
  const out = new Uint32Array(n);
  const byClass = new Map(classes.map((c) => [c.id, packed(c.color)]));
  for (let i = 0; i < n; i++) {
    let c = GREY;
    if (by === 'label') c = byClass.get(layers.classId[i]!) ?? GREY;
    else if (by === 'suggestion') c = byClass.get(layers.suggestion[i]!) ?? GREY;
    else if (by === 'split') c = SPLIT_COLOURS[layers.split[i]!] ?? GREY;
    else if (by === 'cluster') c = CLUSTER_COLOURS[layers.cluster?.[i] ?? 0]!;
    else if (layers.confidence[i]! >= 0) {
      // Red (unsure) to green (sure).
      const p = layers.confidence[i]!;
      c = ((255 << 24) | (40 << 16) | (Math.round(200 * p) << 8) | Math.round(220 * (1 - p))) >>> 0;
    }
    // Excluded images are drawn faint, as the grid fades them.
    out[i] = layers.excluded[i] ? (c & 0x00ffffff) | (80 << 24) : c;
  }
  return out;
}

export interface Frame {
  pixels: Uint32Array;
  width: number;
  height: number;
}

function splat(f: Frame, x: number, y: number, r: number, colour: number): void {
  const x0 = Math.max(0, x - r);
  const x1 = Math.min(f.width - 1, x + r);
  const y0 = Math.max(0, y - r);
  const y1 = Math.min(f.height - 1, y + r);
  for (let yy = y0; yy <= y1; yy++) {
    const row = yy * f.width;
    for (let xx = x0; xx <= x1; xx++) f.pixels[row + xx] = colour;
  }
}

/** Pixels a side for a point: large while few, 2 once there are tens of thousands. */
export function pointSize(n: number): number {
  return n <= 2_000 ? 5 : n <= 20_000 ? 3 : 2;
}

/**
 * Draws every point as a small square (2x2 pixels at scale); selected ones on top, larger, with a dark ring. The inner
 * loop does integer writes only: at 200,000 points a frame is one pass, a few ms.
 */
export function drawPoints(
  f: Frame,
  xy: Float32Array,
  colours: Uint32Array | null,
  selected: Uint8Array | null,
  view: View,
): void {
  const { pixels, width: w, height: h } = f;
  // Transparent: the canvas shows its own background, and faded points blend with it.
  pixels.fill(0);
  const ox = w / 2 - view.cx * view.scale + 0.5;
  const oy = h / 2 - view.cy * view.scale + 0.5;
  const s = view.scale;
  const n = xy.length >> 1;
  const size = pointSize(n);
  for (let i = 0; i < n; i++) {
    const x = (xy[i * 2]! * s + ox) | 0;
    const y = (xy[i * 2 + 1]! * s + oy) | 0;
    if (x < 0 || y < 0 || x >= w - size || y >= h - size) continue;
    let c = colours ? colours[i]! : GREY;
    if (selected && !selected[i]) c = ((c & 0x00ffffff) | (110 << 24)) >>> 0;
    const p = y * w + x;
    if (size === 2) {
      pixels[p] = c;
      pixels[p + 1] = c;
      pixels[p + w] = c;
      pixels[p + w + 1] = c;
    } else for (let r = 0; r < size; r++) pixels.fill(c, p + r * w, p + r * w + size);
  }
  if (!selected) return;
  for (let i = 0; i < n; i++) {
    if (!selected[i]) continue;
    const x = Math.round((xy[i * 2]! - view.cx) * view.scale + w / 2);
    const y = Math.round((xy[i * 2 + 1]! - view.cy) * view.scale + h / 2);
    splat(f, x, y, (size >> 1) + 3, 0xfff0f0f0);
    splat(f, x, y, (size >> 1) + 2, colours ? (colours[i]! | 0xff000000) >>> 0 : GREY);
  }
}

export function toWorld(view: View, width: number, height: number, sx: number, sy: number): [number, number] {
  return [(sx - width / 2) / view.scale + view.cx, (sy - height / 2) / view.scale + view.cy];
}

/** The point nearest the screen position within `radius` pixels, or -1. */
export function pointAt(
  xy: Float32Array,
  view: View,
  width: number,
  height: number,
  sx: number,
  sy: number,
  radius = 6,
): number {
  const [wx, wy] = toWorld(view, width, height, sx, sy);
  let best = -1;
  let bestD = (radius / view.scale) ** 2;
  for (let i = 0; i < xy.length / 2; i++) {
    const d = (xy[i * 2]! - wx) ** 2 + (xy[i * 2 + 1]! - wy) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Indices of the points inside a polygon given in screen pixels (even-odd rule). */
/** The rectangle a box drag spans, as the polygon a lasso would be: a box select takes the lasso's path. */
export function boxPolygon(x0: number, y0: number, x1: number, y1: number): Array<[number, number]> {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

export function pointsInLasso(
  xy: Float32Array,
  view: View,
  width: number,
  height: number,
  poly: Array<[number, number]>,
): number[] {
  if (poly.length < 3) return [];
  const world = poly.map(([sx, sy]) => toWorld(view, width, height, sx, sy));
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of world) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const out: number[] = [];
  for (let i = 0; i < xy.length / 2; i++) {
    const x = xy[i * 2]!;
    const y = xy[i * 2 + 1]!;
    if (x < minX || x > maxX || y < minY || y > maxY) continue;
    let inside = false;
    for (let a = 0, b = world.length - 1; a < world.length; b = a++) {
      const [xa, ya] = world[a]!;
      const [xb, yb] = world[b]!;
      if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
    }
    if (inside) out.push(i);
  }
  return out;
}
