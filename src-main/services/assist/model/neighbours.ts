// "More like this": the k rows nearest to one row by squared Euclidean distance on the
// assistant's reduced features, exactly. One pass over n x 128 values with a bounded
// max-heap of the k best so far: 200,000 images take tens of milliseconds (bench/assist-similar.ts),
// so an approximate index would add a dependency and a build step for nothing.

export interface Neighbour {
  row: number;
  distance: number;
}

/** The `count` rows nearest to row `query` (itself left out), nearest first; ties by row. */
export function nearestRows(x: Float32Array, d: number, query: number, count: number): Neighbour[] {
  const n = x.length / d;
  const k = Math.max(0, Math.min(count, n - 1));
  const heapRow = new Int32Array(k);
  const heapDist = new Float64Array(k);
  let size = 0;
  const q = query * d;
  const worse = (a: number, b: number) =>
    heapDist[a]! > heapDist[b]! || (heapDist[a] === heapDist[b] && heapRow[a]! > heapRow[b]!);
  const swap = (a: number, b: number) => {
    [heapRow[a], heapRow[b]] = [heapRow[b]!, heapRow[a]!];
    [heapDist[a], heapDist[b]] = [heapDist[b]!, heapDist[a]!];
  };
  for (let r = 0; r < n && k > 0; r++) {
    if (r === query) continue;
    const o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = x[o + j]! - x[q + j]!;
      s += t * t;
    }
    if (size === k && s >= heapDist[0]!) continue;
    if (size < k) {
      // Sift up the new entry.
      let i = size++;
      heapRow[i] = r;
      heapDist[i] = s;
      while (i > 0 && worse(i, (i - 1) >> 1)) {
        swap(i, (i - 1) >> 1);
        i = (i - 1) >> 1;
      }
      continue;
    }
    heapRow[0] = r;
    heapDist[0] = s;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      let top = i;
      if (l < size && worse(l, top)) top = l;
      if (l + 1 < size && worse(l + 1, top)) top = l + 1;
      if (top === i) break;
      swap(i, top);
      i = top;
    }
  }
  return Array.from({ length: size }, (_, i) => ({ row: heapRow[i]!, distance: Math.sqrt(heapDist[i]!) })).sort(
    (a, b) => a.distance - b.distance || a.row - b.row,
  );
}
