// The reduction the assistant's features go through once per set of images: each readout
// layer standardised and weighted alike, then PCA to at most REDUCED_DIMS values. Measured on
// Fashion-MNIST features (bench/README.md): with MobileNetV2's three-layer readout (2,304
// values), a head on 256 components misjudges 390 images where 128 misjudge 416, while every
// later step costs a ninth of the full width.
import { fitPca, projectPca } from './pca';
import { standardize } from './standardize';

export const REDUCED_DIMS = 256;

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

/**
 * Raw cached features standardised (in place: `raw` is overwritten), then reduced as above:
 * what a new set of images goes through once. `blocks` are the values per readout layer, in row order (their sum is a row's
 * width); each layer is scaled to weigh the same, whatever its width, and the whole to the
 * variance of the widest layer alone, so that the head's L2 strengths keep their meaning.
 */
export function standardizedReduced(
  raw: Float32Array,
  blocks: readonly number[],
  r: number | null,
  signal?: AbortSignal,
): Promise<{ x: Float32Array; d: number }> {
  const d = blocks.reduce((a, b) => a + b, 0);
  // In place: at 200,000 images the readout's raw block alone is 1.8 GB.
  const x = standardize(raw, d, raw);
  if (blocks.length > 1) weighBlocks(x, blocks);
  return reduceDims(x, d, r, signal);
}

/** Scales block j of every row by sqrt(widest / (width_j * blocks)), in place. */
export function weighBlocks(x: Float32Array, blocks: readonly number[]): void {
  const d = blocks.reduce((a, b) => a + b, 0);
  const widest = Math.max(...blocks);
  const scale = new Float32Array(d);
  let at = 0;
  for (const width of blocks) {
    scale.fill(Math.sqrt(widest / (width * blocks.length)), at, at + width);
    at += width;
  }
  for (let off = 0; off < x.length; off += d) for (let j = 0; j < d; j++) x[off + j]! *= scale[j]!;
}
