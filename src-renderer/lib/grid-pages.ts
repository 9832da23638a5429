// The grid's loaded pages, changed in place when images leave the view (labelled out of an
// "unlabeled" filter, say), so the next image moves into place at once instead of after
// a round trip. A slot whose image is not loaded becomes a hole (undefined) until refetched.
export type Page<T> = (T | undefined)[];

/** The pages as they read once the images at `removed` (old indices) are gone. */
export function withoutIndices<T>(
  pages: Map<number, Page<T>>,
  pageSize: number,
  total: number,
  removed: number[],
): Map<number, Page<T>> {
  const gone = [...new Set(removed)].filter((i) => i >= 0 && i < total).sort((a, b) => a - b);
  const newTotal = total - gone.length;
  const oldAt = (i: number) => pages.get(Math.floor(i / pageSize))?.[i % pageSize];
  const next = new Map<number, Page<T>>();
  for (const page of [...pages.keys()].sort((a, b) => a - b)) {
    const start = page * pageSize;
    if (start >= newTotal) continue;
    // k counts the removed indices before the old position of new index j; j only grows.
    let k = 0;
    const rows: Page<T> = [];
    for (let j = start; j < Math.min(start + pageSize, newTotal); j++) {
      while (k < gone.length && gone[k] <= j + k) k++;
      rows.push(oldAt(j + k));
    }
    next.set(page, rows);
  }
  return next;
}

/** Where an index lands once `removed` are gone; an index that was removed lands on its successor. */
export function shiftedIndex(index: number, removed: number[], newTotal: number): number {
  if (index < 0 || newTotal === 0) return -1;
  const before = removed.filter((r) => r < index).length;
  return Math.min(index - before, newTotal - 1);
}

/**
 * How many places each index's image moved when `removed` (old indices) went: the image now
 * at new index j was at old index j + k. Lets the grid slide images into their new places.
 */
export function movedBy(indices: number[], removed: number[]): Map<number, number> {
  const gone = [...removed].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let k = 0;
  for (const j of [...indices].sort((a, b) => a - b)) {
    while (k < gone.length && gone[k] <= j + k) k++;
    if (k > 0) out.set(j, k);
  }
  return out;
}
