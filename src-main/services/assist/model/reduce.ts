// The reduction the assistant's features go through once per set of images: PCA to at
// most REDUCED_DIMS values. Measured on Fashion-MNIST features (bench/README.md), the
// cross-validated accuracy stays within its interval while every later step costs a tenth.
import { fitPca, projectPca } from './pca';
import { standardize } from './standardize';

export const REDUCED_DIMS = 128;

/** x (n x d, standardised) on its first `r` principal components; unchanged when it has no more than r values (or r is null). */
export async function reduceDims(
  x: Float32Array,
  d: number,
  r: number | null,
  signal?: AbortSignal,
): Promise<{ x: Float32Array; d: number }> {
  if (r === null || d <= r || x.length / d <= r) return { x, d };
  const pca = await fitPca(x, d, { r, signal });
  return { x: await projectPca(pca, x, signal), d: r };
}

/** Raw cached features (n x d) standardised, then reduced as above: what a new set of images goes through once. */
export function standardizedReduced(
  raw: Float32Array,
  d: number,
  r: number | null,
  signal?: AbortSignal,
): Promise<{ x: Float32Array; d: number }> {
  return reduceDims(standardize(raw, d), d, r, signal);
}
