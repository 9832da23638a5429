// Zero mean and unit variance per feature, over every image (labeled or not): pooled ReLU
// features differ in scale by orders of magnitude, and an unscaled L2 penalty would then
// fall mostly on the few large ones.

/** A standardised copy (into `out`, which may be `x` itself); a feature that never varies becomes all zeros. */
export function standardize(x: Float32Array, d: number, out: Float32Array = new Float32Array(x.length)): Float32Array {
  const n = x.length / d;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const v = x[off + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j]! /= Math.max(1, n);
    const variance = sq[j]! / Math.max(1, n) - mean[j]! * mean[j]!;
    scale[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) out[off + j] = (x[off + j]! - mean[j]!) * scale[j]!;
  }
  return out;
}
