// The thumbnail grid's geometry. Cells have a fixed size, so every position is arithmetic:
// nothing is measured per item, and a dragged box maps to cells without touching the DOM.
export const TILE = 124;
export const GAP = 8;
export const ROW = TILE + GAP;
export const PAD = 12;

export interface GridLayout {
  columns: number;
  /** Left edge of the first column, centring the columns in the viewport. */
  left: number;
  total: number;
}

/** A rectangle in the grid's scrolled canvas, in pixels. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function gridLayout(width: number, total: number): GridLayout {
  const columns = Math.max(1, Math.floor((width - 2 * PAD + GAP) / ROW));
  const left = Math.max(PAD, Math.floor((width - columns * ROW + GAP) / 2));
  return { columns, left, total };
}

export function boxFrom(ax: number, ay: number, bx: number, by: number): Box {
  return { x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) };
}

/** Indices of the cells a box touches (gaps between cells do not count), in order. */
export function indicesInBox(layout: GridLayout, box: Box): number[] {
  const { columns, left, total } = layout;
  const cols: number[] = [];
  for (let c = 0; c < columns; c++) {
    const x = left + c * ROW;
    if (x <= box.x1 && x + TILE >= box.x0) cols.push(c);
  }
  const firstRow = Math.max(0, Math.floor((box.y0 - PAD) / ROW));
  const lastRow = Math.floor((box.y1 - PAD) / ROW);
  const out: number[] = [];
  for (let r = firstRow; r <= lastRow; r++) {
    const y = PAD + r * ROW;
    if (y > box.y1 || y + TILE < box.y0) continue;
    for (const c of cols) {
      const index = r * columns + c;
      if (index < total) out.push(index);
    }
  }
  return out;
}

/** How far a key moves the cursor, in images; null for keys that do not move it. */
export function keyStep(key: string, columns: number, visibleRows: number, total: number): number | null {
  const steps: Record<string, number> = {
    ArrowRight: 1,
    ArrowLeft: -1,
    ArrowDown: columns,
    ArrowUp: -columns,
    PageDown: columns * visibleRows,
    PageUp: -columns * visibleRows,
    Home: -total,
    End: total,
  };
  return steps[key] ?? null;
}

/**
 * Where the image now at `index` slides in from, having moved `k` places back: along its
 * row, or from the right when it came up from a later row (a slide across the whole grid
 * would draw the eye away from the cursor).
 */
export function slideFrom(index: number, k: number, columns: number): { dx: number; dy: number } {
  const sameRow = Math.floor((index + k) / columns) === Math.floor(index / columns);
  return { dx: sameRow ? k * ROW : ROW, dy: 0 };
}
